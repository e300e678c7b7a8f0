import { z } from 'zod';
import { ZIsoDate, ZObjectId as ZId, type TRole } from './common.js';
import { ZDocumentType, ZUrgency } from './documents.js';
import { answer, bytes, routes } from './endpoint.js';

/** Calendar periods of the Asia/Ho_Chi_Minh calendar (UTC+7, no daylight saving). */
export const STATS_PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export const ZStatsPeriod = z.enum(STATS_PERIODS);
export type TStatsPeriod = z.infer<typeof ZStatsPeriod>;

/**
 * `from`/`to` are inclusive Vietnam calendar days. Missing `from`/`to` are filled with the
 * `period` containing the other bound (or today), so `?period=month` alone means this month.
 */
export const ZStatsQuery = z
  .object({
    orgId: ZId.optional(),
    from: ZIsoDate.optional(),
    to: ZIsoDate.optional(),
    period: ZStatsPeriod.default('month'),
    /** `aggregation` recomputes every figure from the collections (exact, slow at scale). */
    source: z.enum(['counters', 'aggregation']).optional(),
  })
  .strict();
export type TStatsQuery = z.infer<typeof ZStatsQuery>;

/** The facts behind figures; each names one set of deliveries or documents. */
export const STATS_METRICS = [
  'outgoingDocuments',
  'sealSigned',
  'personalSigned',
  'deliveriesSent',
  'recalled',
  'deliveriesReceived',
  'handled',
  'acknowledgedSameDay',
  'accepted',
  'completed',
  'rejected',
  'due',
  'onTime',
  'completedLate',
  'openOverdue',
  'openNotDue',
  'overdue',
] as const;
export const ZStatsMetric = z.enum(STATS_METRICS);
export type TStatsMetric = z.infer<typeof ZStatsMetric>;

/**
 * Metrics read from the latest re-validation verdicts (outgoing documents of the scope and period
 * that were re-validated, and those of them that passed) rather than from a fact set.
 */
export const REVALIDATION_METRICS = ['revalidated', 'stillValid'] as const;
export type TRevalidationMetric = (typeof REVALIDATION_METRICS)[number];
/** Every metric a drill-down (`/stats/items`) can list. */
export type TStatsItemsMetric = TStatsMetric | TRevalidationMetric;
export function isRevalidationMetric(m: TStatsItemsMetric): m is TRevalidationMetric {
  return (REVALIDATION_METRICS as readonly string[]).includes(m);
}

export const ZStatsItemsQuery = z
  .object({
    metric: z.enum([...STATS_METRICS, ...REVALIDATION_METRICS]),
    orgId: ZId.optional(),
    from: ZIsoDate.optional(),
    to: ZIsoDate.optional(),
    period: ZStatsPeriod.default('month'),
    type: ZDocumentType.optional(),
    urgency: ZUrgency.optional(),
    /** Instant the open/overdue split was computed at (ISO), so a drill-down repeats the figure. */
    asOf: z.string().datetime({ offset: true }).optional(),
    cursor: ZId.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type TStatsItemsQuery = z.infer<typeof ZStatsItemsQuery>;

export type TFigureUnit = 'count' | 'ratio' | 'ms' | 'perDocument';

export type TFigure = {
  key: string;
  label: string;
  unit: TFigureUnit;
  /** null when the denominator is zero or the figure is not computed. */
  value: number | null;
  numerator?: number;
  denominator?: number;
  computed: boolean;
  note?: string;
  /** API query listing the ids behind the figure (the numerator's for a ratio). */
  drillDown: string | null;
  /** For a ratio: the query listing the denominator's ids. */
  drillDownDenominator?: string;
  /**
   * Present and true when the value is not exact: a percentile read from the counters' latency
   * histogram, or a distinct-document count summed over several counter periods (upper bound).
   */
  approximate?: boolean;
  /**
   * For an approximate percentile: the exact value v satisfies lower < v ≤ upper (ms; null is
   * unbounded); `value` is `upper`. Buckets are 2^(1/4) ≈ 1.19 wide above 1 s.
   */
  resolution?: { lower: number | null; upper: number | null };
};

export type TStatsRange = {
  orgId: string;
  orgName: string;
  /** Organizations in the subtree, the root included. */
  subtreeSize: number;
  from: string;
  to: string;
  timezone: 'Asia/Ho_Chi_Minh';
  /** The instant overdue-versus-pending was decided at. */
  asOf: string;
  /**
   * Where the counts came from: `counters` (incremental rolled-up counters; percentiles and
   * distinct documents exact for small scopes, approximate — flagged per figure — for large ones)
   * or `aggregation` (every figure recomputed from the collections, exact).
   */
  source: 'counters' | 'aggregation';
};

export type TStatsSummary = TStatsRange & { figures: Record<string, TFigure> };

export type TStatsSeries = TStatsRange & {
  period: TStatsPeriod;
  buckets: { period: string; start: string; end: string; figures: Record<string, TFigure> }[];
};

/** Answer of POST /api/v1/stats/rebuild (hub admins): counters recomputed from the collections. */
export type TStatsRebuild = {
  deliveries: number;
  outgoingDocuments: number;
  counterDocuments: number;
  ms: number;
};

export type TStatsItems = {
  metric: TStatsItemsMetric;
  kind: 'delivery' | 'document';
  ids: string[];
  nextCursor: string | null;
};

/** Auditors see every organization, hub admins too, org admins their own subtree. */
export const STATS_READERS: TRole[] = ['auditor', 'org_admin', 'hub_admin'];

/**
 * /api/v1/stats. Summary and series answer text/csv to `Accept: text/csv`; export.xlsx is an
 * Excel workbook (summary and the series by `period`).
 */
export const statsApi = routes('/stats', {
  summary: {
    method: 'GET',
    path: '/summary',
    roles: STATS_READERS,
    query: ZStatsQuery,
    returns: answer<TStatsSummary>(),
  },
  series: {
    method: 'GET',
    path: '/series',
    roles: STATS_READERS,
    query: ZStatsQuery,
    returns: answer<TStatsSeries>(),
  },
  xlsx: {
    method: 'GET',
    path: '/export.xlsx',
    roles: STATS_READERS,
    query: ZStatsQuery,
    returns: bytes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  },
  // recovery: counters recomputed from the collections (after an org moved, or a lost write)
  rebuild: {
    method: 'POST',
    path: '/rebuild',
    roles: ['hub_admin'],
    returns: answer<TStatsRebuild>(),
  },
  items: {
    method: 'GET',
    path: '/items',
    roles: STATS_READERS,
    query: ZStatsItemsQuery,
    returns: answer<TStatsItems>(),
  },
});

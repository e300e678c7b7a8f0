import type { Collection, Document } from 'mongodb';
import type { TStatsPeriod } from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { Documents } from '../documents/index.js';
import { Deliveries, Dispatches } from '../exchange/index.js';
import { periodLabel } from '../scope/index.js';
import { MARKS } from './counters.js';
import type { ApproxPercentile } from './latency-histogram.js';
import {
  bucketExpr,
  factStages,
  SET_FLAGS,
  SET_SOURCE,
  type FactInput,
  type FactSet,
} from './facts.js';

export type Percentiles = { n: number; p50: number | null; p90: number | null; p99: number | null };
export const LATENCIES = ['toArrived', 'toAccepted', 'toCompleted'] as const;
export type Latency = (typeof LATENCIES)[number];

/** Raw counts of one bucket: what every figure is computed from. */
export type Counts = {
  sets: Record<FactSet, { n: number; flags: Record<string, number> }>;
  byUrgency: Record<FactSet, Record<string, number>>;
  outgoingByType: Record<string, number>;
  distinctDocuments: { sent: number; received: number };
  latency: Record<Latency, Percentiles>;
  /** Set on counts read from the counters: which figures are bounds rather than exact values. */
  approx?: {
    /** Distinct documents summed over several counter periods: an upper bound. */
    distinct?: boolean;
    latency?: Partial<Record<Latency, Record<'p50' | 'p90' | 'p99', ApproxPercentile>>>;
  };
};

export const PERCENTILES = [50, 90, 99] as const;

export const TOTAL = 'all';

export function emptyCounts(): Counts {
  const set = (s: FactSet) => ({
    n: 0,
    flags: Object.fromEntries(SET_FLAGS[s].map((f) => [f, 0])),
  });
  const none: Percentiles = { n: 0, p50: null, p90: null, p99: null };

  return {
    sets: {
      outgoing: set('outgoing'),
      sent: set('sent'),
      received: set('received'),
      due: set('due'),
    },
    byUrgency: { outgoing: {}, sent: {}, received: {}, due: {} },
    outgoingByType: {},
    distinctDocuments: { sent: 0, received: 0 },
    latency: { toArrived: { ...none }, toAccepted: { ...none }, toCompleted: { ...none } },
  };
}

/** Nearest-rank percentiles of the non-null values, in integer arithmetic (exact, like JS's). */
function percentilesExpr(field: string): unknown {
  const at = (p: number) => ({
    $cond: [
      { $gt: [{ $size: '$$s' }, 0] },
      {
        $arrayElemAt: [
          '$$s',
          {
            $toInt: {
              $subtract: [{ $ceil: { $divide: [{ $multiply: [p, { $size: '$$s' }] }, 100] } }, 1],
            },
          },
        ],
      },
      null,
    ],
  });

  return {
    $let: {
      vars: {
        s: {
          $sortArray: {
            input: { $filter: { input: field, cond: { $ne: ['$$this', null] } } },
            sortBy: 1,
          },
        },
      },
      in: { n: { $size: '$$s' }, p50: at(50), p90: at(90), p99: at(99) },
    },
  };
}

function facets(set: FactSet, unit: TStatsPeriod | null): Record<string, unknown[]> {
  const b = bucketExpr(unit);
  const main: Record<string, unknown> = { _id: b, n: { $sum: 1 } };
  for (const f of SET_FLAGS[set]) main[f] = { $sum: { $cond: [`$${f}`, 1, 0] } };
  const out: Record<string, unknown[]> = {
    main: [{ $group: main }],
    byUrgency: [{ $group: { _id: { b, k: '$urgency' }, n: { $sum: 1 } } }],
  };
  if (set === 'received') {
    for (const l of LATENCIES) main[l] = { $push: `$${l}` };
    out.main!.push({
      $addFields: Object.fromEntries(LATENCIES.map((l) => [l, percentilesExpr(`$${l}`)])),
    });
  }
  if (set === 'outgoing') out.byType = [{ $group: { _id: { b, k: '$type' }, n: { $sum: 1 } } }];
  if (set === 'sent' || set === 'received') {
    out.docs = [
      { $group: { _id: { b, d: '$documentId' } } },
      { $group: { _id: '$_id.b', n: { $sum: 1 } } },
    ];
  }

  return out;
}

export function collectionOf(ctx: HubContext, set: FactSet): Collection<Document> {
  return SET_SOURCE[set] === 'dispatches'
    ? Dispatches(ctx.db.conn).collection
    : Deliveries(ctx.db.conn).collection;
}

export function collectionNames(ctx: HubContext): FactInput['collections'] {
  return {
    dispatches: Dispatches(ctx.db.conn).collection.collectionName,
    documents: Documents(ctx.db.conn).collection.collectionName,
  };
}

type Row = { _id: unknown; n: number } & Record<string, unknown>;

function keyOf(b: unknown, unit: TStatsPeriod | null): string {
  return unit && b instanceof Date ? periodLabel(b, unit) : TOTAL;
}

function merge(
  into: Map<string, Counts>,
  set: FactSet,
  unit: TStatsPeriod | null,
  r: Record<string, Row[]>,
): void {
  const at = (b: unknown) => {
    const k = keyOf(b, unit);
    if (!into.has(k)) into.set(k, emptyCounts());

    return into.get(k)!;
  };
  for (const row of r.main ?? []) {
    const c = at(row._id);
    c.sets[set].n = row.n;
    for (const f of SET_FLAGS[set]) c.sets[set].flags[f] = Number(row[f] ?? 0);
    if (set === 'received') for (const l of LATENCIES) c.latency[l] = row[l] as Percentiles;
  }
  for (const row of r.byUrgency ?? []) {
    const id = row._id as { b: unknown; k: string };
    at(id.b).byUrgency[set][id.k] = row.n;
  }
  for (const row of r.byType ?? []) {
    const id = row._id as { b: unknown; k: string };
    at(id.b).outgoingByType[id.k] = row.n;
  }
  for (const row of r.docs ?? []) at(row._id).distinctDocuments[set as 'sent' | 'received'] = row.n;
}

/** Counts per bucket label (or TOTAL), from the fact aggregations run side by side. */
export async function aggregateCounts(
  ctx: HubContext,
  input: FactInput,
  unit: TStatsPeriod | null,
  sets: FactSet[] = ['outgoing', 'sent', 'received', 'due'],
): Promise<Map<string, Counts>> {
  const out = new Map<string, Counts>();
  const results = await Promise.all(
    sets.map((set) =>
      collectionOf(ctx, set)
        .aggregate<Record<string, Row[]>>(
          [...factStages(set, input), { $facet: facets(set, unit) }],
          { allowDiskUse: true },
        )
        .toArray(),
    ),
  );
  sets.forEach((set, i) => merge(out, set, unit, results[i]![0] ?? {}));

  return out;
}

/** What the overlay takes: rows, latencies (received) and distinct documents, per bucket `b`. */
function overlayFacets(set: 'sent' | 'received'): Record<string, unknown[]> {
  const main: Record<string, unknown> = { _id: '$b', n: { $sum: 1 } };
  const out: Record<string, unknown[]> = {
    main: [{ $group: main }],
    docs: [
      { $group: { _id: { b: '$b', d: '$d' } } },
      { $group: { _id: '$_id.b', n: { $sum: 1 } } },
    ],
  };
  if (set === 'received') {
    for (const l of LATENCIES) main[l] = { $push: `$${l}` };
    out.main!.push({
      $addFields: Object.fromEntries(LATENCIES.map((l) => [l, percentilesExpr(`$${l}`)])),
    });
  }

  return out;
}

/**
 * Exact latency percentiles and distinct documents of the sent and received sets (what the
 * counters can only bound), read from the delivery markers' facts through their covering indexes
 * (mark-facts.ts): the same rows and values as the fact pipelines, without reading a delivery.
 * Markers written before they held facts (until a rebuild) send it back to the fact pipelines.
 */
export async function overlayCounts(
  ctx: HubContext,
  input: FactInput,
  unit: TStatsPeriod | null,
): Promise<Map<string, Counts>> {
  const marks = ctx.db.conn.collection(MARKS);
  if (await marks.findOne({ r: null }, { projection: { _id: 1 } }))
    return aggregateCounts(ctx, input, unit, ['sent', 'received']);
  const range = { $gte: input.start, $lt: input.end };
  // the bucket is computed once per row, not once per facet ($dateTrunc in the time zone is costly)
  const b = unit ? bucketExpr(unit, '$t') : { $literal: null };
  const rows: Record<'sent' | 'received', Document[]> = {
    sent: [{ $match: { s: { $in: input.orgIds }, t: range } }, { $project: { _id: 0, b, d: 1 } }],
    received: [
      { $match: { r: { $in: input.orgIds }, t: range } },
      {
        $project: {
          _id: 0,
          b,
          d: 1,
          toArrived: '$la',
          toAccepted: '$lc',
          toCompleted: '$lp',
        },
      },
    ],
  };
  const out = new Map<string, Counts>();
  const sets = ['sent', 'received'] as const;
  const results = await Promise.all(
    sets.map((set) =>
      marks
        .aggregate<Record<string, Row[]>>([...rows[set], { $facet: overlayFacets(set) }], {
          hint: set === 'sent' ? 'stats_marks_sent' : 'stats_marks_received',
          allowDiskUse: true,
        })
        .toArray(),
    ),
  );
  sets.forEach((set, i) => merge(out, set, unit, results[i]![0] ?? {}));

  return out;
}

import { URGENCIES, URGENCY_LABELS, type TUrgency } from '../../contracts/documents.js';
import type { Types } from 'mongoose';
import type {
  TFigure,
  TRevalidationMetric,
  TStatsItems,
  TStatsItemsQuery,
  TStatsItemsMetric,
  TStatsMetric,
  TStatsPeriod,
} from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { VN_OFFSET_MS, type Range } from '../scope/index.js';
import { LATENCIES, PERCENTILES, type Counts, type Latency } from './aggregate.js';

/** Re-validated outgoing documents of one bucket: how many, how many passed, oldest verdict. */
export type RevalidationCounts = { n: number; valid: number; oldest: Date | null };

/**
 * The still-valid figure's data, which the revalidation module offers (`offerRevalidationFigure`)
 * so stats does not depend on it: per bucket (`TOTAL` when `unit` is null, else period labels),
 * and the drill-down of its documents.
 */
export type RevalidationFigure = {
  counts(
    ctx: HubContext,
    orgIds: Types.ObjectId[],
    range: { start: Date; end: Date },
    unit: TStatsPeriod | null,
  ): Promise<Map<string, RevalidationCounts>>;
  items(
    ctx: HubContext,
    orgIds: Types.ObjectId[],
    range: Range,
    q: TStatsItemsQuery & { metric: TRevalidationMetric },
  ): Promise<TStatsItems>;
};

/** Builds the drill-down query of a metric for the figure's organization and days. */
export type DrillDown = (metric: TStatsItemsMetric, extra?: Record<string, string>) => string;

export function drillDownFor(base: {
  orgId: string;
  from: string;
  to: string;
  asOf: string;
}): DrillDown {
  return (metric, extra = {}) => {
    const q = new URLSearchParams({ metric, orgId: base.orgId, from: base.from, to: base.to });
    // the open/overdue split depends on "now": pin it so the list repeats the figure
    if (['due', 'onTime', 'completedLate', 'openOverdue', 'openNotDue', 'overdue'].includes(metric))
      q.set('asOf', base.asOf);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);

    return `/api/v1/stats/items?${q.toString()}`;
  };
}

const STILL_VALID_LABEL = 'Tỷ lệ văn bản đi có chữ ký còn hợp lệ đến hôm nay';
const NOT_REVALIDATED_NOTE =
  'Chưa tính: chưa có văn bản đi nào của cơ quan trong kỳ này được kiểm tra lại chữ ký. ' +
  'Hãy bấm “Kiểm tra lại chữ ký” trên trang thống kê để bắt đầu.';

/** 2026-11-28 14:05 in Vietnam time. */
function vnDateTime(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Latest re-validation verdict of each signed outgoing document (TOTAL_PASSED / re-validated);
 * null until a re-validation has covered the scope and period.
 */
function stillValid(rv: RevalidationCounts | undefined, dd: DrillDown): TFigure {
  if (!rv || rv.n === 0)
    return {
      key: 'stillValidRate',
      label: STILL_VALID_LABEL,
      unit: 'ratio',
      value: null,
      computed: false,
      note: NOT_REVALIDATED_NOTE,
      drillDown: null,
    };

  return {
    ...ratio('stillValidRate', STILL_VALID_LABEL, rv.valid, rv.n, [
      dd('stillValid'),
      dd('revalidated'),
    ]),
    note:
      `Theo lần kiểm tra lại gần nhất của từng văn bản đi có chữ ký (lần cũ nhất: ` +
      `${rv.oldest ? vnDateTime(rv.oldest) : '—'}, giờ Việt Nam); ` +
      'văn bản chưa được kiểm tra lại không được tính.',
  };
}

const LATENCY_LABELS: Record<Latency, { label: string; metric: TStatsMetric }> = {
  toArrived: { label: 'Thời gian từ khi gửi đến khi đến nơi (01)', metric: 'handled' },
  toAccepted: { label: 'Thời gian từ khi đến (01) đến khi tiếp nhận (03)', metric: 'accepted' },
  toCompleted: { label: 'Thời gian từ khi đến (01) đến khi hoàn thành (06)', metric: 'completed' },
};

function count(key: string, label: string, n: number, drillDown: string | null): TFigure {
  return { key, label, unit: 'count', value: n, computed: true, drillDown };
}

function ratio(
  key: string,
  label: string,
  numerator: number,
  denominator: number,
  drill: [string, string],
  unit: 'ratio' | 'perDocument' = 'ratio',
): TFigure {
  return {
    key,
    label,
    unit,
    value: denominator === 0 ? null : numerator / denominator,
    numerator,
    denominator,
    computed: true,
    drillDown: drill[0],
    drillDownDenominator: drill[1],
  };
}

function documentFigures(c: Counts, dd: DrillDown, rv?: RevalidationCounts): TFigure[] {
  const o = c.sets.outgoing;
  const signedRate = (kind: 'seal' | 'personal', label: string) =>
    ratio(`${kind}SignatureRate`, label, o.flags[kind] ?? 0, o.n, [
      dd(`${kind}Signed`),
      dd('outgoingDocuments'),
    ]);
  const out = [
    count('outgoingDocuments', 'Văn bản đi (gửi lần đầu trong kỳ)', o.n, dd('outgoingDocuments')),
    signedRate('seal', 'Tỷ lệ văn bản đi có chữ ký số của cơ quan'),
    signedRate('personal', 'Tỷ lệ văn bản đi có chữ ký số cá nhân'),
    stillValid(rv, dd),
  ];
  for (const [type, n] of Object.entries(c.outgoingByType).sort(([a], [b]) => a.localeCompare(b)))
    out.push(
      count(
        `outgoingByType:${type}`,
        `Văn bản đi loại ${type}`,
        n,
        dd('outgoingDocuments', { type }),
      ),
    );
  out.push(
    ...byUrgency('outgoingByUrgency', 'Văn bản đi', c.byUrgency.outgoing, 'outgoingDocuments', dd),
  );

  return out;
}

function byUrgency(
  prefix: string,
  label: string,
  counts: Record<string, number>,
  metric: TStatsMetric,
  dd: DrillDown,
): TFigure[] {
  return URGENCIES.map((u: TUrgency) =>
    count(
      `${prefix}:${u}`,
      `${label} — độ khẩn ${URGENCY_LABELS[u]}`,
      counts[u] ?? 0,
      dd(metric, { urgency: u }),
    ),
  );
}

function volumeFigures(c: Counts, dd: DrillDown): TFigure[] {
  const s = c.sets.sent;
  const r = c.sets.received;

  return [
    count('deliveriesSent', 'Lượt gửi đi (mỗi nơi nhận một lượt)', s.n, dd('deliveriesSent')),
    count(
      'documentsSent',
      'Văn bản khác nhau trong các lượt gửi đi',
      c.distinctDocuments.sent,
      dd('deliveriesSent'),
    ),
    ratio(
      'recipientsPerDocument',
      'Số nơi nhận bình quân mỗi văn bản gửi đi',
      s.n,
      c.distinctDocuments.sent,
      [dd('deliveriesSent'), dd('deliveriesSent')],
      'perDocument',
    ),
    ...byUrgency('deliveriesSentByUrgency', 'Lượt gửi đi', c.byUrgency.sent, 'deliveriesSent', dd),
    count('deliveriesReceived', 'Lượt nhận (văn bản đến)', r.n, dd('deliveriesReceived')),
    count(
      'documentsReceived',
      'Văn bản khác nhau nhận được',
      c.distinctDocuments.received,
      dd('deliveriesReceived'),
    ),
    ...byUrgency(
      'deliveriesReceivedByUrgency',
      'Lượt nhận',
      c.byUrgency.received,
      'deliveriesReceived',
      dd,
    ),
  ];
}

function handlingFigures(c: Counts, dd: DrillDown): TFigure[] {
  const r = c.sets.received;
  const d = c.sets.due;
  const s = c.sets.sent;
  const f = (set: { flags: Record<string, number> }, k: string) => set.flags[k] ?? 0;

  return [
    ratio('onTimeRate', 'Tỷ lệ xử lý đúng hạn (06 trước hạn)', f(d, 'onTime'), d.n, [
      dd('onTime'),
      dd('due'),
    ]),
    count('dueInPeriod', 'Lượt nhận có hạn xử lý trong kỳ', d.n, dd('due')),
    count(
      'overdue',
      'Quá hạn (hoàn thành trễ hoặc chưa xong khi đã quá hạn)',
      f(d, 'overdue'),
      dd('overdue'),
    ),
    count('completedLate', 'Hoàn thành trễ hạn', f(d, 'completedLate'), dd('completedLate')),
    count('openOverdue', 'Chưa hoàn thành, đã quá hạn', f(d, 'openOverdue'), dd('openOverdue')),
    count('openNotDue', 'Chưa hoàn thành, chưa đến hạn', f(d, 'openNotDue'), dd('openNotDue')),
    ratio(
      'sameDayAcknowledgementRate',
      'Tỷ lệ tiếp nhận (03) trong ngày đến (01)',
      f(r, 'sameDay'),
      f(r, 'handled'),
      [dd('acknowledgedSameDay'), dd('handled')],
    ),
    ratio('rejectionRate', 'Tỷ lệ từ chối nhận (02)', f(r, 'rejected'), f(r, 'handled'), [
      dd('rejected'),
      dd('handled'),
    ]),
    ratio('recallRate', 'Tỷ lệ thu hồi (13) trên lượt gửi đi', f(s, 'recalled'), s.n, [
      dd('recalled'),
      dd('deliveriesSent'),
    ]),
  ];
}

const APPROX_PERCENTILE_NOTE =
  'Gần đúng: lấy cận trên của khoảng (biểu đồ tần suất theo thang log, mỗi khoảng rộng ≈ 19%) chứa giá trị đúng.';
const APPROX_DISTINCT_NOTE =
  'Gần đúng (cận trên): khoảng ngày không trùng một kỳ trọn vẹn; văn bản gửi/nhận ở nhiều phần của khoảng được đếm nhiều lần.';

function latencyFigures(c: Counts, dd: DrillDown): TFigure[] {
  return LATENCIES.flatMap((l) =>
    PERCENTILES.map((p): TFigure => {
      const approx = c.approx?.latency?.[l]?.[`p${p}`];
      const f: TFigure = {
        key: `${l}.p${p}`,
        label: `${LATENCY_LABELS[l].label}, phân vị ${p} (ms)`,
        unit: 'ms' as const,
        value: c.latency[l][`p${p}`],
        denominator: c.latency[l].n,
        computed: true,
        drillDown: dd(LATENCY_LABELS[l].metric),
      };
      if (approx && approx.value !== null)
        Object.assign(f, {
          approximate: true,
          resolution: { lower: approx.lower, upper: approx.upper },
          note: APPROX_PERCENTILE_NOTE,
        });

      return f;
    }),
  );
}

/** Marks the distinct-document figures as upper bounds when the counters could not dedupe. */
function flagDistinct(c: Counts, figures: TFigure[]): TFigure[] {
  if (!c.approx?.distinct) return figures;

  return figures.map((f) =>
    ['documentsSent', 'documentsReceived', 'recipientsPerDocument'].includes(f.key)
      ? {
          ...f,
          approximate: true,
          note:
            f.key === 'recipientsPerDocument'
              ? `${APPROX_DISTINCT_NOTE} Vì mẫu số là cận trên nên tỷ số này là cận dưới.`
              : APPROX_DISTINCT_NOTE,
        }
      : f,
  );
}

/** Every figure of one bucket, keyed, in display order. */
export function figuresOf(
  c: Counts,
  dd: DrillDown,
  rv?: RevalidationCounts,
): Record<string, TFigure> {
  const all = [
    ...documentFigures(c, dd, rv),
    ...flagDistinct(c, volumeFigures(c, dd)),
    ...handlingFigures(c, dd),
    ...latencyFigures(c, dd),
  ];

  return Object.fromEntries(all.map((f) => [f.key, f]));
}

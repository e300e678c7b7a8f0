import { Types } from 'mongoose';
import type {
  TRevalidationMetric,
  TStatsItems,
  TStatsItemsQuery,
  TStatsPeriod,
} from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { type RevalidationCounts, TOTAL, bucketExpr } from '../stats/index.js';
import { periodLabel, type Range } from '../scope/index.js';
import { RevalidationResults } from './revalidation.model.js';

/**
 * The documents the still-valid figure is over: latest verdicts of signed documents owned in the
 * subtree whose first dispatch falls in the range — the outgoing set's own rule, as stored with
 * the verdict. Indexed by `{orgId, at}`.
 */
function revalidatedMatch(orgIds: Types.ObjectId[], start: Date, end: Date) {
  return { orgId: { $in: orgIds }, at: { $gte: start, $lt: end }, result: { $ne: 'NO_SIGNATURE' } };
}

/** Per bucket (`TOTAL` when `unit` is null, else the period labels the statistics use). */
export async function revalidationCounts(
  ctx: HubContext,
  orgIds: Types.ObjectId[],
  range: { start: Date; end: Date },
  unit: TStatsPeriod | null,
): Promise<Map<string, RevalidationCounts>> {
  const rows = await RevalidationResults(ctx.db.conn)
    .aggregate<{ _id: Date | null; n: number; valid: number; oldest: Date }>([
      { $match: revalidatedMatch(orgIds, range.start, range.end) },
      {
        $group: {
          _id: bucketExpr(unit),
          n: { $sum: 1 },
          valid: { $sum: { $cond: [{ $eq: ['$result', 'TOTAL_PASSED'] }, 1, 0] } },
          oldest: { $min: '$validatedAt' },
        },
      },
    ])
    .exec();
  const out = new Map<string, RevalidationCounts>();
  for (const r of rows) {
    const key = unit && r._id instanceof Date ? periodLabel(r._id, unit) : TOTAL;
    out.set(key, { n: r.n, valid: r.valid, oldest: r.oldest });
  }

  return out;
}

/** Drill-down of the still-valid figure: document ids in id order, paged like every metric. */
export async function listRevalidatedItems(
  ctx: HubContext,
  orgIds: Types.ObjectId[],
  range: Range,
  q: TStatsItemsQuery & { metric: TRevalidationMetric },
): Promise<TStatsItems> {
  const filter: Record<string, unknown> = revalidatedMatch(orgIds, range.start, range.end);
  if (q.metric === 'stillValid') filter.result = 'TOTAL_PASSED';
  if (q.cursor) filter._id = { $gt: new Types.ObjectId(q.cursor) };
  const rows = await RevalidationResults(ctx.db.conn)
    .find(filter, { _id: 1 })
    .sort({ _id: 1 })
    .limit(q.limit)
    .lean();
  const ids = rows.map((r) => String(r._id));

  return {
    metric: q.metric,
    kind: 'document',
    ids,
    nextCursor: ids.length === q.limit ? ids.at(-1)! : null,
  };
}

import { Types } from 'mongoose';
import {
  isRevalidationMetric,
  type TStatsItems,
  type TStatsItemsQuery,
} from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { listRevalidatedItems } from '../revalidation/index.js';
import { collectionNames, collectionOf } from './aggregate.js';
import { resolveRange } from './calendar.js';
import { factStages, METRICS, SET_KIND } from './facts.js';
import { resolveScope } from './scope.js';

/**
 * The ids behind a figure: the figure's own fact pipeline, filtered on the metric's flag, in id
 * order. Counting every page gives back the figure exactly.
 */
export async function listStatsItems(
  ctx: HubContext,
  p: Principal,
  q: TStatsItemsQuery,
  now = new Date(),
): Promise<TStatsItems> {
  const scope = await resolveScope(ctx, p, q.orgId);
  const range = resolveRange(q, now);
  if (isRevalidationMetric(q.metric))
    return listRevalidatedItems(ctx, scope.orgIds, range, { ...q, metric: q.metric });
  const { set, flag } = METRICS[q.metric];
  const filter: Record<string, unknown> = {};
  if (flag) filter[flag] = true;
  if (q.type) filter.type = q.type;
  if (q.urgency) filter.urgency = q.urgency;
  if (q.cursor) filter._id = { $gt: new Types.ObjectId(q.cursor) };
  const stages = factStages(set, {
    orgIds: scope.orgIds,
    start: range.start,
    end: range.end,
    asOf: q.asOf ? new Date(q.asOf) : now,
    collections: collectionNames(ctx),
  });
  const rows = await collectionOf(ctx, set)
    .aggregate<{ _id: Types.ObjectId }>(
      [
        ...stages,
        { $match: filter },
        { $sort: { _id: 1 } },
        { $limit: q.limit },
        { $project: { _id: 1 } },
      ],
      { allowDiskUse: true },
    )
    .toArray();
  const ids = rows.map((r) => String(r._id));

  return {
    metric: q.metric,
    kind: SET_KIND[set],
    ids,
    nextCursor: ids.length === q.limit ? ids.at(-1)! : null,
  };
}

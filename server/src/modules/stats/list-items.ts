import {
  isRevalidationMetric,
  type TStatsItems,
  type TStatsItemsQuery,
} from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import type { Principal } from '../../http/principal.js';
import { resolveRange, resolveScope } from '../scope/index.js';
import { factItems } from './fact-items.js';
import { METRICS, SET_KIND } from './facts.js';
import { flushCounters } from './counter-queue.js';
import { revalidationFigure } from './figure-source.js';

/**
 * The ids behind a figure: the figure's own fact pipeline, filtered on the metric's flag, in id
 * order (fact-items.ts reads only the ids the range can hold). Counting every page gives back the
 * figure exactly.
 */
export async function listStatsItems(
  ctx: HubContext,
  p: Principal,
  q: TStatsItemsQuery,
  now = new Date(),
): Promise<TStatsItems> {
  await flushCounters(ctx); // outgoing documents are listed from the markers the queue writes
  const scope = await resolveScope(ctx, p, q.orgId);
  const range = resolveRange(q, now);
  if (isRevalidationMetric(q.metric))
    return revalidationFigure(ctx).items(ctx, scope.orgIds, range, { ...q, metric: q.metric });
  const ids = await factItems(ctx, scope, range, { ...q, metric: q.metric }, now);
  const { set } = METRICS[q.metric];

  return {
    metric: q.metric,
    kind: SET_KIND[set],
    ids,
    nextCursor: ids.length === q.limit ? ids.at(-1)! : null,
  };
}

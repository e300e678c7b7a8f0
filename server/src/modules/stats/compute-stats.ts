import type {
  TStatsQuery,
  TStatsRange,
  TStatsSeries,
  TStatsSummary,
} from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { aggregateCounts, collectionNames, emptyCounts, TOTAL } from './aggregate.js';
import { bucketsOf, resolveRange, vnIsoDate, type Range } from './calendar.js';
import type { FactInput } from './facts.js';
import { drillDownFor, figuresOf } from './figures.js';
import { resolveScope, type Scope } from './scope.js';

type Prepared = { scope: Scope; range: Range; input: FactInput; head: TStatsRange };

async function prepare(
  ctx: HubContext,
  p: Principal,
  q: TStatsQuery,
  now: Date,
): Promise<Prepared> {
  const scope = await resolveScope(ctx, p, q.orgId);
  const range = resolveRange(q, now);
  const input: FactInput = {
    orgIds: scope.orgIds,
    start: range.start,
    end: range.end,
    asOf: now,
    collections: collectionNames(ctx),
  };
  const head: TStatsRange = {
    orgId: scope.orgId,
    orgName: scope.orgName,
    subtreeSize: scope.orgIds.length,
    from: range.from,
    to: range.to,
    timezone: 'Asia/Ho_Chi_Minh',
    asOf: now.toISOString(),
  };

  return { scope, range, input, head };
}

/** Every figure over the organization's subtree and the days asked for. */
export async function statsSummary(
  ctx: HubContext,
  p: Principal,
  q: TStatsQuery,
  now = new Date(),
): Promise<TStatsSummary> {
  const { input, head } = await prepare(ctx, p, q, now);
  const counts = (await aggregateCounts(ctx, input, null)).get(TOTAL) ?? emptyCounts();

  return { ...head, figures: figuresOf(counts, drillDownFor(head)) };
}

/** The same figures per calendar period (clipped to the range), empty periods included. */
export async function statsSeries(
  ctx: HubContext,
  p: Principal,
  q: TStatsQuery,
  now = new Date(),
): Promise<TStatsSeries> {
  const { input, head, range } = await prepare(ctx, p, q, now);
  const counts = await aggregateCounts(ctx, input, q.period);
  const buckets = bucketsOf(range, q.period).map((b) => {
    const from = vnIsoDate(b.start);
    const to = vnIsoDate(new Date(b.end.getTime() - 1));
    const dd = drillDownFor({ orgId: head.orgId, from, to, asOf: head.asOf });

    return {
      period: b.label,
      start: b.start.toISOString(),
      end: b.end.toISOString(),
      figures: figuresOf(counts.get(b.label) ?? emptyCounts(), dd),
    };
  });

  return { ...head, period: q.period, buckets };
}

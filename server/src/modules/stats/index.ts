import type { HubContext } from '../../context.js';
import { hubModule } from '../module.js';
import { CounterQueue, countLater, flushCounters } from './counter-queue.js';
import type { Ancestry } from './counter-cells.js';
import type { RevalidationFigure } from './figures.js';
import { ensureStatsIndexes } from './stats-indexes.js';
import { statsRoutes } from './stats.routes.js';

export { flushCounters } from './counter-queue.js';
export { TOTAL, collectionNames, collectionOf } from './aggregate.js';
export { bucketExpr, factStages } from './facts.js';
export type { RevalidationCounts, RevalidationFigure } from './figures.js';

declare module '../../context.js' {
  interface HubServices {
    stats: {
      queue: CounterQueue;
      /** Organizations' ancestors as read so far (a place in the tree never changes). */
      ancestry: { known: Ancestry };
      revalidation?: RevalidationFigure;
    };
  }
}

/**
 * Auditor figures (aggregation as the exact reference, counters for speed), CSV and XLSX; counts
 * the exchange's delivery transitions it hears on the bus.
 */
export const statsModule = hubModule({
  name: 'stats',
  init: async (ctx) => {
    await ensureStatsIndexes(ctx);
    ctx.bus.on('delivery.transitions', (e) => countLater(ctx, e.transitions, e.outgoing));

    return { queue: new CounterQueue(ctx), ancestry: { known: new Map() } };
  },
  mount: async (ctx) => [{ path: '/api/v1/stats', router: statsRoutes(ctx) }],
  close: (ctx) => flushCounters(ctx),
});

/** The revalidation module offers the still-valid figure's data (stats does not import it). */
export function offerRevalidationFigure(ctx: HubContext, figure: RevalidationFigure): void {
  ctx.services.stats.revalidation = figure;
}

export { carriedSignatures } from './outgoing-counters.js';
export { rebuildCounters, type RebuildReport } from './rebuild-counters.js';
export { STATS_INDEXES, ensureStatsIndexes, indexOptions } from './stats-indexes.js';

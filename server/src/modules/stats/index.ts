import type { HubModule } from '../module.js';
import { flushCounters } from './counter-queue.js';
import { ensureStatsIndexes } from './stats-indexes.js';
import { statsRoutes } from './stats.routes.js';

export const statsModule: HubModule = {
  name: 'stats',
  init: (ctx) => ensureStatsIndexes(ctx),
  mount: async (ctx) => [{ path: '/api/v1/stats', router: statsRoutes(ctx) }],
  close: (ctx) => flushCounters(ctx),
};

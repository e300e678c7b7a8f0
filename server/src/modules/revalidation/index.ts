import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { RevalidationItems, RevalidationJobs, RevalidationResults } from './revalidation.model.js';
import { revalidationRoutes } from './revalidation.routes.js';
import { startRevalidations, stopRevalidations } from './runner.js';

/**
 * Bulk re-validation of outgoing documents' signatures (issue 8, the still-valid figure).
 * Interrupted jobs resume when the hub starts — in `realtime`, which only a serving hub runs
 * (`init` also runs for commands such as `lienthong seed`, which must not pick up jobs).
 */
export const revalidationModule: HubModule = {
  name: 'revalidation',
  init: (ctx) =>
    ensureIndexes(ctx.db.conn, [RevalidationJobs, RevalidationItems, RevalidationResults]),
  mount: async (ctx) => [{ path: '/api/v1/revalidations', router: revalidationRoutes(ctx) }],
  realtime: async (ctx) => startRevalidations(ctx),
  close: (ctx) => stopRevalidations(ctx),
};

export { listRevalidatedItems, revalidationCounts, type RevalidationCounts } from './results.js';
export { REVALIDATION_TUNING } from './runner.js';

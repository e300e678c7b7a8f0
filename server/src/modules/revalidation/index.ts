import { hubModule } from '../module.js';
import { offerRevalidationFigure } from '../stats/index.js';
import { listRevalidatedItems, revalidationCounts } from './results.js';
import { RevalidationItems, RevalidationJobs, RevalidationResults } from './revalidation.model.js';
import { revalidationRoutes } from './revalidation.routes.js';
import { newRunner, startRevalidations, stopRevalidations, type Runner } from './runner.js';

export { REVALIDATION_TUNING } from './runner.js';

declare module '../../context.js' {
  interface HubServices {
    revalidation: { runner: Runner };
  }
}

// Interrupted jobs resume when the hub starts — in `realtime`, which only a serving hub runs
// (`init` also runs for commands such as `lienthong seed`, which must not pick up jobs).
/**
 * Resumable bulk re-validation jobs (cursor + lease), latest verdict per document, the still-valid
 * figure's data (offered to stats), `revalidation:progress`.
 */
export const revalidationModule = hubModule({
  name: 'revalidation',
  models: [RevalidationJobs, RevalidationItems, RevalidationResults],
  init: async (ctx) => {
    offerRevalidationFigure(ctx, { counts: revalidationCounts, items: listRevalidatedItems });

    return { runner: newRunner() };
  },
  mount: async (ctx) => [{ path: '/api/v1/revalidations', router: revalidationRoutes(ctx) }],
  realtime: async (ctx) => startRevalidations(ctx),
  close: (ctx) => stopRevalidations(ctx),
});

import type { HubModule } from '../module.js';
import { SigningSessions } from './signing-session.model.js';
import { documentSigningRoutes, signingSessionRoutes } from './signing.routes.js';

/** Hub-held-key signing with password re-entry, external signing sessions, over `lib/pades/`. */
export const signingModule: HubModule = {
  name: 'signing',
  init: async (ctx) => {
    // the TTL index is what expires sessions: make sure it exists from the start
    await SigningSessions(ctx.db.conn).init();
  },
  mount: async (ctx) => [
    { path: '/api/v1/documents', router: documentSigningRoutes(ctx) },
    { path: '/api/v1/signing-sessions', router: signingSessionRoutes(ctx) },
  ],
};

export { signDocument } from './sign-document.js';
export { openSigningSession, completeSigningSession } from './external-signing.js';
export { removeExpiredSessionFiles } from './session-files.js';

import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { AuditLog } from './audit.model.js';
import { auditRoutes } from './audit.routes.js';
import { auditDocumentEvents } from './document-audit.js';

export { appendAudit, actorOf } from './append.js';

const unsubscribers = new WeakMap<object, () => Promise<void>>();

export const auditModule: HubModule = {
  name: 'audit',
  init: async (ctx) => {
    await ensureIndexes(ctx.db.conn, [AuditLog]);
    unsubscribers.set(ctx, auditDocumentEvents(ctx));
  },
  close: async (ctx) => unsubscribers.get(ctx)?.(),
  mount: async (ctx) => [{ path: '/api/v1/audit', router: auditRoutes(ctx) }],
};

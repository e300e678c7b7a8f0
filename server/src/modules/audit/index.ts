import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { AuditLog } from './audit.model.js';
import { auditRoutes } from './audit.routes.js';

export { appendAudit, actorOf } from './append.js';

export const auditModule: HubModule = {
  name: 'audit',
  init: (ctx) => ensureIndexes(ctx.db.conn, [AuditLog]),
  mount: async (ctx) => [{ path: '/api/v1/audit', router: auditRoutes(ctx) }],
};

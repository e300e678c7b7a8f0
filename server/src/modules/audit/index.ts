import { hubModule } from '../module.js';
import { AuditWriter } from './append.js';
import { AuditLog } from './audit.model.js';
import { auditRoutes } from './audit.routes.js';
import { auditDocumentEvents } from './document-audit.js';

export { appendAudit, actorOf, type AuditInput } from './append.js';

declare module '../../context.js' {
  interface HubServices {
    audit: { writer: AuditWriter };
  }
}

/**
 * Append-only hash-chained log, `/audit/verify`; writes the documents' announcements on the bus.
 */
export const auditModule = hubModule({
  name: 'audit',
  models: [AuditLog],
  init: async (ctx) => {
    auditDocumentEvents(ctx);
    return { writer: new AuditWriter(ctx) };
  },
  mount: async (ctx) => [{ path: '/api/v1/audit', router: auditRoutes(ctx) }],
});

export { type AuditActor } from './audit.model.js';

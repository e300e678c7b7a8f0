import type { HubContext } from '../../context.js';
import { appendAudit } from './append.js';
import type { AuditActor } from './audit.model.js';

/** An agency system's API key is named as such (kind `api-key`, its name), never as a user. */
function actor(id: string, orgId: string, apiKey: string | undefined): AuditActor {
  return apiKey === undefined
    ? { id, name: '', orgId, kind: 'user' }
    : { id, name: apiKey, orgId, kind: 'api-key' };
}

/**
 * Writes the documents module's announcements to the audit log: registrations, signatures, and
 * every read of a confidential document. The bus awaits each write, so the announcing request
 * answers only once its entry is in the chain.
 */
export function auditDocumentEvents(ctx: HubContext): void {
  ctx.bus.on('document.created', (e) =>
    appendAudit(ctx, {
      actor: actor(e.by, e.orgId, e.apiKey),
      action: 'document.created',
      orgIds: [e.orgId],
      target: { type: 'document', id: e.documentId },
    }),
  );
  ctx.bus.on('document.signed', (e) =>
    appendAudit(ctx, {
      actor: actor(e.by, e.orgId, e.apiKey),
      action: `document.signed.${e.kind}`,
      orgIds: [e.orgId],
      target: { type: 'document', id: e.documentId },
      details: { versionId: e.versionId, level: e.level },
    }),
  );
  ctx.bus.on('document.read-confidential', (e) =>
    appendAudit(ctx, {
      actor: actor(e.readerId, e.readerOrgId, e.apiKey),
      action: 'document.read-confidential',
      orgIds: [...new Set([e.orgId, e.readerOrgId])],
      target: { type: 'document', id: e.documentId },
      details: { confidentiality: e.confidentiality, what: e.what },
    }),
  );
}

import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { documentEvents, type DocumentEventMap } from '../documents/document.events.js';
import { Documents } from '../documents/document.model.js';
import { ApiKeys } from '../auth/token.model.js';
import { appendAudit, type AuditInput } from './append.js';
import type { AuditActor } from './audit.model.js';

type Name = keyof DocumentEventMap;

/**
 * Document events name their actor by id only; an agency system's API key acts too, and the
 * entry must say so (kind `api-key`, the key's name) instead of passing it off as a user.
 */
async function namedActor(ctx: HubContext, input: AuditInput): Promise<AuditInput> {
  const { id } = input.actor;
  if (!Types.ObjectId.isValid(id)) return input;
  const key = await ApiKeys(ctx.db.conn).findById(id, { name: 1 }).lean();
  if (!key) return input;
  const actor: AuditActor = { ...input.actor, kind: 'api-key', name: key.name };

  return { ...input, actor };
}

/**
 * Writes the documents module's announcements to the audit log: registrations, new versions,
 * signatures, and every read of a confidential document. The emitter is process-wide, so a hub
 * only records events about documents in its own database. Returns the unsubscribe function.
 */
export function auditDocumentEvents(ctx: HubContext): () => Promise<void> {
  const offs: (() => void)[] = [];
  // writes still running when the hub stops are awaited, so none races the database's close
  const pending = new Set<Promise<void>>();
  const on = <K extends Name>(name: K, entry: (e: DocumentEventMap[K][0]) => AuditInput) => {
    const listener = (e: DocumentEventMap[K][0]) => {
      const write = (async () => {
        if (!(await Documents(ctx.db.conn).exists({ _id: new Types.ObjectId(e.documentId) })))
          return;
        await appendAudit(ctx, await namedActor(ctx, entry(e)));
      })().catch((err: unknown) =>
        ctx.log.error({ err, event: name }, 'audit of a document event failed'),
      );
      pending.add(write);
      void write.finally(() => pending.delete(write));
    };
    (documentEvents.on as (n: K, l: typeof listener) => void)(name, listener);
    offs.push(() => (documentEvents.off as (n: K, l: typeof listener) => void)(name, listener));
  };
  const user = (id: string, orgId: string) => ({ id, name: '', orgId, kind: 'user' as const });
  on('document.created', (e) => ({
    actor: user(e.by, e.orgId),
    action: 'document.created',
    orgIds: [e.orgId],
    target: { type: 'document', id: e.documentId },
  }));
  on('document.signed', (e) => ({
    actor: user(e.by, e.orgId),
    action: `document.signed.${e.kind}`,
    orgIds: [e.orgId],
    target: { type: 'document', id: e.documentId },
    details: { versionId: e.versionId, level: e.level },
  }));
  on('document.read-confidential', (e) => ({
    actor: user(e.readerId, e.readerOrgId),
    action: 'document.read-confidential',
    orgIds: [...new Set([e.orgId, e.readerOrgId])],
    target: { type: 'document', id: e.documentId },
    details: { confidentiality: e.confidentiality, what: e.what },
  }));

  return async () => {
    offs.forEach((off) => off());
    await Promise.all(pending);
  };
}

import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { Deliveries, type DeliveryDoc } from '../exchange/delivery.model.js';
import { attestedVersion } from '../exchange/receipts.js';
import { Documents, type DocumentDoc, type VersionDoc } from './document.model.js';

export const NOT_FOUND_VI = 'Không tìm thấy văn bản.';

function notFound(): AppError {
  return new AppError('NOT_FOUND', NOT_FOUND_VI);
}

function asObjectId(id: string): Types.ObjectId {
  if (!Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) throw notFound();

  return new Types.ObjectId(id);
}

/** Who reads a document: its organization, an organization it was delivered to, an auditor. */
export type DocumentViewer = 'owner' | 'recipient' | 'auditor';

/**
 * A document as its reader may see it. The recipient's variant is cut down here, once, for every
 * route that serves it (metadata, version bytes, validation, edXML attachments): `versions` holds
 * only the versions delivered to the reader's organization, `currentVersionId` is the one its
 * delivery is at now, and the list of the other recipients is not there at all (the type has no
 * `sharedWith`, so it cannot be passed where a whole document is expected).
 */
export type ReadableDocument =
  | (DocumentDoc & { viewer: 'owner' | 'auditor' })
  | (Omit<DocumentDoc, 'sharedWith'> & { viewer: 'recipient' });

/** Any document by id, no access check: for the hub's own background work only. */
export async function loadDocument(ctx: HubContext, id: string): Promise<DocumentDoc> {
  const doc = await Documents(ctx.db.conn).findById(asObjectId(id)).lean();
  if (!doc) throw notFound();

  return doc;
}

/**
 * A delivery its recipient may no longer read from: the sender recalled it (13; Decree 30 art.
 * 18.4(b): the recipient deletes the copy on the notice), whether the recipient has answered yet
 * or not, or an agreed recall withdrew it. A refusal (16) is recorded for the sender but does not
 * give the reading back: otherwise any recipient could undo a recall by refusing it.
 */
export function recalledFromRecipient(d: Pick<DeliveryDoc, 'withdrawn' | 'change'>): boolean {
  return d.withdrawn || d.change?.kind === 'recall';
}

/**
 * The versions (by SHA-256) a delivery brought to its recipient: every version one of its
 * receipts attests (the arrival's is the dispatched one; each later receipt names the version the
 * delivery was at), the one it is at now, and an update the sender has asked it to take (the
 * recipient has to read it to agree or refuse; a refused one is not delivered).
 */
function deliveredShas(d: DeliveryDoc): string[] {
  const shas = [d.versionSha256, ...d.history.map((h) => attestedVersion(h.receipt))];
  if (d.change?.kind === 'update' && d.change.state === 'requested' && d.change.versionSha256)
    shas.push(d.change.versionSha256);

  return shas.filter((s): s is string => s !== null);
}

type RecipientGrant = { shas: Set<string>; current: Set<string> };

/** What the organization's open (not recalled) deliveries of the document let it read, if any. */
async function recipientGrant(
  ctx: HubContext,
  documentId: Types.ObjectId,
  orgId: Types.ObjectId,
): Promise<RecipientGrant | null> {
  const deliveries = await Deliveries(ctx.db.conn)
    .find(
      { documentId, recipientOrgId: orgId },
      { versionSha256: 1, history: 1, change: 1, withdrawn: 1 },
    )
    .lean();
  const open = deliveries.filter((d) => !recalledFromRecipient(d));
  if (open.length === 0) return null;

  return {
    shas: new Set(open.flatMap(deliveredShas)),
    current: new Set(open.map((d) => d.versionSha256)),
  };
}

/** The document cut down to what a grant lets its recipient read. */
function recipientView(doc: DocumentDoc, grant: RecipientGrant): ReadableDocument | null {
  const { sharedWith: _others, ...rest } = doc;
  const versions = doc.versions.filter((v) => grant.shas.has(v.sha256));
  // several deliveries of one document (two dispatches) may be at different versions: the latest
  const current = versions.filter((v) => grant.current.has(v.sha256)).at(-1) ?? versions.at(-1);
  if (!current) return null;

  return { ...rest, versions, currentVersionId: current._id, viewer: 'recipient' };
}

/**
 * The statuses of a document that has left its organization. What is still inside it — a draft,
 * a signature awaiting release — is the organization's own business, auditors' included: they
 * audit what was sent (Decree 30: a dự thảo is not yet a văn bản).
 */
export const RELEASED_STATUSES = ['dispatched', 'recalled'] as const;

export function released(doc: Pick<DocumentDoc, 'status'>): boolean {
  return (RELEASED_STATUSES as readonly string[]).includes(doc.status);
}

/**
 * A document the caller may read: their organization owns it, or an open delivery brought it to
 * their organization (then only what was delivered, see `ReadableDocument`), or they are an
 * auditor and it was released. Anything else — another organization's document, one recalled from the caller — is
 * "not found", so ids reveal nothing.
 */
export async function getReadableDocument(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<ReadableDocument> {
  const doc = await Documents(ctx.db.conn).findById(asObjectId(id)).lean();
  if (!doc) throw notFound();
  if (String(doc.orgId) === principal.orgId) return { ...doc, viewer: 'owner' };
  if (hasRole(principal, 'auditor') && released(doc)) return { ...doc, viewer: 'auditor' };
  const grant = await recipientGrant(ctx, doc._id, new Types.ObjectId(principal.orgId));
  const view = grant && recipientView(doc, grant);
  if (!view) throw notFound();

  return view;
}

/** One version of a readable document, or "not found" (a version not delivered to the reader). */
export function readableVersion(doc: ReadableDocument, versionId: string): VersionDoc {
  const v = doc.versions.find((x) => String(x._id) === versionId);
  if (!v) throw new AppError('NOT_FOUND', 'Không tìm thấy phiên bản văn bản.');

  return v;
}

/** A document of the caller's own organization (to change it: sign, dispatch, recall). */
export async function getOwnDocument(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<DocumentDoc> {
  const doc = await Documents(ctx.db.conn)
    .findOne({ _id: asObjectId(id), orgId: new Types.ObjectId(principal.orgId) })
    .lean();
  if (!doc) throw notFound();

  return doc;
}

/** Reports a read of a confidential document (độ mật khác "thường") to the audit hook. */
export async function reportConfidentialRead(
  ctx: HubContext,
  doc: Pick<DocumentDoc, '_id' | 'orgId' | 'meta'>,
  principal: Principal,
  what: 'metadata' | 'file',
): Promise<void> {
  if (doc.meta.confidentiality === 'thuong') return;
  await ctx.bus.publish('document.read-confidential', {
    documentId: String(doc._id),
    orgId: String(doc.orgId),
    confidentiality: doc.meta.confidentiality,
    readerId: principal.id,
    readerOrgId: principal.orgId,
    ...(principal.kind === 'api-key' ? { apiKey: principal.name } : {}),
    what,
  });
}

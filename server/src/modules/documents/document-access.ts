import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import type { TDelivery } from '../../contracts/exchange.js';
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

/** What an organization's open deliveries of a document let it read: versions by SHA-256. */
export type RecipientGrant = { shas: Set<string>; current: Set<string> };

/**
 * What the exchange module answers about a document's deliveries (it registers it at start):
 * documents decides who reads what, and does not know deliveries.
 */
export type DeliveredTo = {
  /** What the organization's open (not recalled) deliveries of the document let it read. */
  grant(
    ctx: HubContext,
    documentId: Types.ObjectId,
    orgId: Types.ObjectId,
  ): Promise<RecipientGrant | null>;
  /** Every delivery of the document, as its sender sees them. */
  deliveries(ctx: HubContext, documentId: Types.ObjectId): Promise<TDelivery[]>;
};

export function deliveredTo(ctx: HubContext): DeliveredTo {
  const d = ctx.services.documents.deliveredTo;
  if (!d) throw new Error('documents cannot be shared: the exchange module is not started');

  return d;
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
  const grant = await deliveredTo(ctx).grant(ctx, doc._id, new Types.ObjectId(principal.orgId));
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

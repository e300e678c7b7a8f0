import type {
  TDocumentVersion,
  TDocument,
  TOwnerDocument,
  TRecipientDocument,
} from '../../contracts/documents.js';
import type { ReadableDocument } from './document-access.js';
import type { DocumentDoc, VersionDoc } from './document.model.js';
import { presentWorkflow } from './workflow.js';

export function presentVersion(v: VersionDoc, index: number): TDocumentVersion {
  return {
    id: String(v._id),
    index,
    fileId: String(v.fileId),
    fileName: v.fileName,
    size: v.size,
    sha256: v.sha256,
    createdAt: v.createdAt.toISOString(),
    createdBy: String(v.createdBy),
    reason: v.reason,
    ...(v.signature ? { signature: stripEmpty(v.signature) } : {}),
  };
}

function stripEmpty<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== null),
  ) as T;
}

/** What every view shows; `versions` as the document given holds them (already cut down). */
function common(doc: Omit<DocumentDoc, 'sharedWith'>) {
  const meta = stripEmpty({ ...doc.meta, signer: stripEmpty({ ...doc.meta.signer }) });

  return {
    id: String(doc._id),
    orgId: String(doc.orgId),
    meta,
    codeLabel: doc.codeLabel,
    // numbered among the versions shown: a recipient learns nothing of the ones it was not sent
    versions: doc.versions.map((v, i) => presentVersion(v, i + 1)),
    currentVersionId: String(doc.currentVersionId),
    createdAt: doc.createdAt.toISOString(),
    createdBy: String(doc.createdBy),
  };
}

/** The owner organization's or an auditor's view: everything, the recipients' list included. */
function presentWhole(doc: DocumentDoc, view: 'owner' | 'auditor'): TOwnerDocument {
  return {
    ...common(doc),
    view,
    updatedAt: doc.updatedAt.toISOString(),
    status: doc.status,
    sharedWith: (doc.sharedWith ?? []).map(String),
    ...(doc.workflow ? { workflow: presentWorkflow(doc)! } : {}),
  };
}

/**
 * A recipient's view (document-access.ts has cut the versions down to the delivered ones): to
 * it the document is dispatched — whether the sender recalled it from others, or changed it
 * since, is the sender's business — and it has no list of the other recipients.
 */
function presentDelivered(
  doc: Extract<ReadableDocument, { viewer: 'recipient' }>,
): TRecipientDocument {
  const last = Math.max(...doc.versions.map((v) => v.createdAt.getTime()));

  return {
    ...common(doc),
    view: 'recipient',
    updatedAt: new Date(last).toISOString(),
    status: 'dispatched',
  };
}

/**
 * The wire format of a document for its reader. A document read through `getReadableDocument`
 * carries its viewer and is shown as that viewer may see it; a bare `DocumentDoc` is the owner
 * organization's own (from `getOwnDocument`, an upload, a signature).
 */
export function presentDocument(doc: DocumentDoc | ReadableDocument): TDocument {
  if (!('viewer' in doc)) return presentWhole(doc, 'owner');
  if (doc.viewer === 'recipient') return presentDelivered(doc);

  return presentWhole(doc, doc.viewer);
}

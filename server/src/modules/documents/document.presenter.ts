import type { TDocument, TDocumentVersion } from '../../contracts/documents.js';
import type { DocumentDoc, VersionDoc } from './document.model.js';

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

/** The wire format of a document (what the web client and the exchange module send out). */
export function presentDocument(doc: DocumentDoc): TDocument {
  const meta = stripEmpty({ ...doc.meta, signer: stripEmpty({ ...doc.meta.signer }) });

  return {
    id: String(doc._id),
    orgId: String(doc.orgId),
    meta,
    codeLabel: doc.codeLabel,
    versions: doc.versions.map((v, i) => presentVersion(v, i + 1)),
    currentVersionId: String(doc.currentVersionId),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    createdBy: String(doc.createdBy),
    status: doc.status,
    sharedWith: (doc.sharedWith ?? []).map(String),
  };
}

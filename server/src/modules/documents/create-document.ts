import { Types } from 'mongoose';
import type { TDocument, TDocumentMeta } from '../../contracts/documents.js';
import type { HubContext } from '../../context.js';
import { foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { storeVersion } from './add-version.js';
import { deleteFile } from './document.files.js';
import { isUnreachable } from '../../db/unreachable.js';
import { actedBy } from './document.events.js';
import {
  Documents,
  type DocumentDoc,
  type StoredMeta,
  type WorkflowDoc,
} from './document.model.js';
import { presentDocument } from './document.presenter.js';
import { nextNumber, numberedLabel } from './numbering.js';
import { assertUsablePdf } from './pdf-check.js';

/** Explicit numbers may fill earlier numbers; an auto number skips at most this many taken ones. */
const MAX_NUMBER_RETRIES = 50;

export type UploadedFile = { bytes: Uint8Array; originalName?: string };

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

function yearOf(meta: TDocumentMeta): number {
  return Number(meta.issueDate.slice(0, 4));
}

export function codeLabel(number: number, notation: string): string {
  return `${number}/${notation}`;
}

function numberTaken(meta: TDocumentMeta, number: number, year: number): AppError {
  return new AppError(
    'CONFLICT',
    `Số ${number} đã được dùng trong sổ "${meta.register}" năm ${year}; hãy để trống số để trục tự cấp số tiếp theo, hoặc chọn số khác.`,
  );
}

/** Decree 30: the same số + ký hiệu of one issuer in another register or year is suspicious. */
async function duplicateWarning(ctx: HubContext, doc: DocumentDoc): Promise<string | undefined> {
  const other = await Documents(ctx.db.conn)
    .findOne({
      orgId: doc.orgId,
      'meta.number': doc.meta.number,
      'meta.notation': doc.meta.notation,
      _id: { $ne: doc._id },
    })
    .lean();
  if (!other) return undefined;

  return `Đã có văn bản khác của cơ quan mang số, ký hiệu ${doc.codeLabel} (sổ "${other.meta.register}", năm ${other.year}); hãy kiểm tra lại để tránh trùng số, ký hiệu.`;
}

function buildDoc(
  id: Types.ObjectId,
  principal: Principal,
  meta: TDocumentMeta,
  number: number | undefined,
  version: DocumentDoc['versions'][number],
  idempotencyKey: string | null,
  workflow?: WorkflowDoc,
): Omit<DocumentDoc, 'createdAt' | 'updatedAt'> {
  // a workflow draft is numbered at release (numbering.ts)
  const label =
    number === undefined
      ? numberedLabel(undefined, meta.notation)
      : codeLabel(number, meta.notation);
  const { number: _none, ...unnumbered } = meta;
  const stored: StoredMeta = number === undefined ? unnumbered : { ...meta, number };

  return {
    _id: id,
    orgId: new Types.ObjectId(principal.orgId),
    meta: stored,
    year: yearOf(meta),
    codeLabel: label,
    folded: foldVietnamese(`${meta.subject} ${label}`),
    versions: [version],
    currentVersionId: version._id,
    status: 'draft',
    sharedWith: [],
    createdBy: new Types.ObjectId(principal.id),
    ...(workflow ? { workflow } : {}),
    idempotencyKey,
  };
}

async function byKey(
  ctx: HubContext,
  p: Principal,
  key: string,
): Promise<(TDocument & { replayed: true }) | null> {
  const doc = await Documents(ctx.db.conn)
    .findOne({ orgId: new Types.ObjectId(p.orgId), idempotencyKey: key })
    .lean();

  return doc ? { ...presentDocument(doc), replayed: true } : null;
}

/** Inserts the document; with an auto number, retries when an explicit one took the number. */
async function insertNumbered(
  ctx: HubContext,
  make: (number: number) => Omit<DocumentDoc, 'createdAt' | 'updatedAt'>,
  meta: TDocumentMeta,
  orgId: string,
): Promise<DocumentDoc> {
  const year = yearOf(meta);
  for (let attempt = 0; attempt < MAX_NUMBER_RETRIES; attempt++) {
    const number = meta.number ?? (await nextNumber(ctx, orgId, meta.register, year));
    try {
      const created = await Documents(ctx.db.conn).create(make(number));

      return created.toObject();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (
        (err as { keyPattern?: object }).keyPattern &&
        'idempotencyKey' in (err as { keyPattern: object }).keyPattern
      ) {
        throw err;
      }
      if (meta.number !== undefined) throw numberTaken(meta, number, year);
    }
  }
  throw new AppError('CONFLICT', 'Không cấp được số văn bản; hãy thử lại.');
}

/**
 * Registers a document: checks the PDF by parsing it, stores the file in GridFS, then inserts the
 * document with its first version in one write (the commit point). The number is assigned per
 * organization, register and year when not given.
 */
export async function createDocument(
  ctx: HubContext,
  principal: Principal,
  meta: TDocumentMeta,
  file: UploadedFile,
  idempotencyKey: string | null = null,
  /** A draft of the internal workflow (workflow-drafts.ts): stored without a number. */
  workflow?: WorkflowDoc,
): Promise<TDocument & { replayed?: boolean }> {
  const earlier = idempotencyKey ? await byKey(ctx, principal, idempotencyKey) : null;
  if (earlier) return earlier;
  await assertUsablePdf(file.bytes);
  const year = yearOf(meta);
  const docs = Documents(ctx.db.conn);
  if (meta.number !== undefined && !workflow) {
    const taken = await docs.exists({
      orgId: new Types.ObjectId(principal.orgId),
      'meta.register': meta.register,
      year,
      'meta.number': meta.number,
    });
    if (taken) throw numberTaken(meta, meta.number, year);
  }
  const id = new Types.ObjectId();
  const version = await storeVersion(
    ctx,
    file.bytes,
    file.originalName,
    { orgId: principal.orgId, _id: id },
    principal.id,
    'upload',
  );
  let doc: DocumentDoc;
  try {
    doc = workflow
      ? (
          await Documents(ctx.db.conn).create(
            buildDoc(id, principal, meta, undefined, version, idempotencyKey, workflow),
          )
        ).toObject()
      : await insertNumbered(
          ctx,
          (n) => buildDoc(id, principal, meta, n, version, idempotencyKey),
          meta,
          principal.orgId,
        );
  } catch (err) {
    // the database went away mid-insert: the document may be stored all the same, so its file
    // stays (removeOrphanFiles() takes it if it was not)
    if (!isUnreachable(err)) await deleteFile(ctx, version.fileId);
    // the same upload retried concurrently: the other request's document is the answer
    const raced =
      idempotencyKey && isDuplicateKey(err) ? await byKey(ctx, principal, idempotencyKey) : null;
    if (raced) return raced;
    throw err;
  }
  await ctx.bus.publish('document.created', {
    documentId: String(id),
    orgId: principal.orgId,
    ...actedBy(principal),
  });
  const warning = workflow ? undefined : await duplicateWarning(ctx, doc);

  return { ...presentDocument(doc), ...(warning ? { duplicateWarning: warning } : {}) };
}

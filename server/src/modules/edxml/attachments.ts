import { Schema, Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import type { TEdxmlAttachment } from '../../contracts/edxml.js';
import { ObjectId, required } from '../../db/fields.js';
import { downloadFile, fileBucket, uploadFile } from '../../db/files.js';
import { defineModel } from '../../db/model.js';
import type { EdxmlAttachment } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { sha256Hex } from '../documents/index.js';

/**
 * The files an edXML package carries beside the document's PDF (appendixes, forms, .docx), kept
 * with the document version they came with, in package order. The documents model has one file
 * per version, so they live here, in their own GridFS bucket (documents' orphan sweep only knows
 * version files), and travel on with the version when it is exported again.
 */
export type AttachmentDoc = {
  _id: Types.ObjectId;
  documentId: Types.ObjectId;
  versionId: Types.ObjectId;
  /** 1-based position among the version's attachments (the PDF itself is not counted). */
  index: number;
  name: string;
  contentType: string;
  description?: string;
  size: number;
  sha256: string;
  fileId: Types.ObjectId;
  createdAt: Date;
};

const schema = new Schema<AttachmentDoc>(
  {
    documentId: required(ObjectId, { index: true }),
    versionId: required(ObjectId),
    index: required(Number),
    name: required(String),
    contentType: required(String),
    description: String,
    size: required(Number),
    sha256: required(String),
    fileId: required(ObjectId),
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw', versionKey: false },
);
// One file per position of a version: a concurrent or repeated import cannot store two.
schema.index({ versionId: 1, index: 1 }, { unique: true });

export const EdxmlAttachments = defineModel<AttachmentDoc>('EdxmlAttachment', schema);

export const ATTACHMENT_BUCKET = 'edxmlattachments';

const bucket = (ctx: HubContext) => fileBucket(ctx.db.conn, ATTACHMENT_BUCKET);

/** A stored name: no folders, no control characters, at most 150 characters. */
function safeName(name: string, index: number): string {
  const base = (name.normalize('NFC').split(/[\\/]/).pop() ?? '')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}<>:"|?*]/gu, '_')
    .trim()
    .replace(/^\.+/, '');

  return Array.from(base).slice(0, 150).join('') || `dinh-kem-${index}`;
}

/** A MIME type as the package states it when it looks like one; otherwise opaque bytes. */
function safeType(type: string): string {
  return /^[\w.+-]{1,60}\/[\w.+-]{1,100}$/.test(type)
    ? type.toLowerCase()
    : 'application/octet-stream';
}

export function attachmentsOf(ctx: HubContext, versionId: Types.ObjectId | string) {
  return EdxmlAttachments(ctx.db.conn)
    .find({ versionId: new Types.ObjectId(String(versionId)) })
    .sort({ index: 1 })
    .lean();
}

/**
 * Refuses (409) a package whose attachments differ from those already kept with the version:
 * the first import decides, as for the document itself. Nothing is written.
 */
export async function checkSameAttachments(
  ctx: HubContext,
  versionId: Types.ObjectId | string,
  attachments: EdxmlAttachment[],
): Promise<void> {
  const kept = await attachmentsOf(ctx, versionId);
  const differs = kept.some((k) => {
    const a = attachments[k.index - 1];

    return !a || sha256Hex(a.bytes) !== k.sha256;
  });
  if (differs) {
    throw new AppError(
      'CONFLICT',
      'Văn bản này đã được nhập với các tệp đính kèm khác; gói mới mang tệp đính kèm không khớp.',
    );
  }
}

async function storeOne(
  ctx: HubContext,
  at: { documentId: Types.ObjectId; orgId: Types.ObjectId; versionId: Types.ObjectId },
  a: EdxmlAttachment,
  index: number,
): Promise<void> {
  const name = safeName(a.name, index);
  const sha256 = sha256Hex(a.bytes);
  const fileId = await uploadFile(bucket(ctx), name, [a.bytes], {
    sha256,
    orgId: String(at.orgId),
    documentId: String(at.documentId),
  });
  try {
    await EdxmlAttachments(ctx.db.conn).create({
      documentId: at.documentId,
      versionId: at.versionId,
      index,
      name,
      contentType: safeType(a.contentType),
      ...(a.description ? { description: a.description.slice(0, 500) } : {}),
      size: a.bytes.byteLength,
      sha256,
      fileId,
    });
  } catch (err) {
    await bucket(ctx)
      .delete(fileId)
      .catch(() => undefined);
    // stored a moment ago by a concurrent import of the same package: that one counts
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

/**
 * Keeps the attachments with the version, in order; positions already stored are left alone,
 * so a retried import completes what a failed one began. File first, then the record (the
 * commit point); a crash in between leaves an unreferenced file in the bucket, nothing else.
 */
export async function storeAttachments(
  ctx: HubContext,
  at: { documentId: Types.ObjectId; orgId: Types.ObjectId; versionId: Types.ObjectId },
  attachments: EdxmlAttachment[],
): Promise<void> {
  const kept = new Set((await attachmentsOf(ctx, at.versionId)).map((k) => k.index));
  for (const [i, a] of attachments.entries()) {
    if (!kept.has(i + 1)) await storeOne(ctx, at, a, i + 1);
  }
}

/** The stored attachments of a version with their bytes, for export. */
export async function attachmentFiles(
  ctx: HubContext,
  versionId: Types.ObjectId,
): Promise<(AttachmentDoc & { bytes: Buffer })[]> {
  const kept = await attachmentsOf(ctx, versionId);

  return Promise.all(kept.map(async (k) => ({ ...k, bytes: await readAttachmentBytes(ctx, k) })));
}

export async function readAttachmentBytes(ctx: HubContext, a: AttachmentDoc): Promise<Buffer> {
  return downloadFile(bucket(ctx), a.fileId);
}

export function presentAttachment(a: AttachmentDoc): TEdxmlAttachment {
  return {
    id: String(a._id),
    versionId: String(a.versionId),
    index: a.index,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
  };
}

/** Every version's attachments of a document, oldest version first, in package order. */
export async function documentAttachments(
  ctx: HubContext,
  documentId: Types.ObjectId,
): Promise<AttachmentDoc[]> {
  return EdxmlAttachments(ctx.db.conn).find({ documentId }).sort({ versionId: 1, index: 1 }).lean();
}

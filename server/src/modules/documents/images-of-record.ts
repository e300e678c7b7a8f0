import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { TRecordImage } from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { LibraryError } from '../../errors/library-error.js';
import { readImageHeader, checkImageLimits } from '../../lib/pdf/image-limits.js';
import { actorOf, appendAudit } from '../audit/index.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { Users } from '../auth/index.js';
import { RecordImages, type RecordImageDoc } from './workflow.model.js';

/**
 * Images of record (Decree 30, Phụ lục I): each signer's handwritten signature, uploaded once by
 * the signer himself, and each organization's registered seal, uploaded by its admin. The signing
 * dialog places these instead of a drawn scribble.
 */
export type ImageKind = 'signature' | 'seal';

const keyOf = (kind: ImageKind, id: string) => `${kind === 'seal' ? 'seal' : 'user'}:${id}`;

function decodePng(b64: string): Buffer {
  const bytes = Buffer.from(b64, 'base64');
  try {
    checkImageLimits(bytes, 'Ảnh');
    if (readImageHeader(bytes)?.format !== 'png') throw new Error('not png');
  } catch (err) {
    if (err instanceof LibraryError)
      throw new AppError('UNPROCESSABLE', err.message, { reason: err.code });
    throw new AppError('UNPROCESSABLE', 'Ảnh phải là tệp PNG (nền trong suốt).');
  }

  return bytes;
}

/** A lean read gives the bytes as BSON Binary, a fresh document as a Buffer. */
function present(
  d: Omit<RecordImageDoc, 'png'> & { png: Buffer | { buffer: Uint8Array } },
): TRecordImage {
  const png = Buffer.isBuffer(d.png) ? d.png : Buffer.from(d.png.buffer);

  return { png: png.toString('base64'), sha256: d.sha256, updatedAt: d.updatedAt.toISOString() };
}

/** Stores the caller's own signature image (a signer) or the organization's seal (its admin). */
export async function putRecordImage(
  ctx: HubContext,
  principal: Principal,
  kind: ImageKind,
  b64: string,
): Promise<TRecordImage> {
  if (kind === 'seal' && !hasRole(principal, 'org_admin')) {
    throw new AppError('FORBIDDEN', 'Chỉ quản trị của cơ quan được đăng ký ảnh con dấu.');
  }
  if (kind === 'signature' && (principal.kind !== 'user' || !hasRole(principal, 'signer'))) {
    throw new AppError('FORBIDDEN', 'Chỉ người ký tự đăng ký ảnh chữ ký của mình.');
  }
  const png = decodePng(b64);
  const owner = kind === 'seal' ? principal.orgId : principal.id;
  const doc: RecordImageDoc = {
    _id: keyOf(kind, owner),
    orgId: new Types.ObjectId(principal.orgId),
    png,
    sha256: createHash('sha256').update(png).digest('hex'),
    updatedBy: new Types.ObjectId(principal.id),
    updatedAt: new Date(),
  };
  await RecordImages(ctx.db.conn).replaceOne({ _id: doc._id }, doc, { upsert: true });
  await appendAudit(ctx, {
    actor: actorOf(principal),
    action: `image-of-record.${kind}`,
    orgIds: [principal.orgId],
    target: { type: kind === 'seal' ? 'organization' : 'user', id: owner },
    details: { sha256: doc.sha256 },
  });

  return present(doc);
}

/**
 * A signature image of a user of the caller's organization (the clerk's seal overlaps the
 * leader's signature), or the organization's seal. Another organization's: 404.
 */
export async function getRecordImage(
  ctx: HubContext,
  principal: Principal,
  kind: ImageKind,
  userId?: string,
): Promise<TRecordImage> {
  const owner = kind === 'seal' ? principal.orgId : (userId ?? principal.id);
  const missing = new AppError(
    'NOT_FOUND',
    kind === 'seal' ? 'Cơ quan chưa đăng ký ảnh con dấu.' : 'Chưa có ảnh chữ ký đã đăng ký.',
  );
  if (kind === 'signature' && owner !== principal.id) {
    const same = Types.ObjectId.isValid(owner)
      ? await Users(ctx.db.conn).exists({
          _id: new Types.ObjectId(owner),
          orgId: new Types.ObjectId(principal.orgId),
        })
      : null;
    if (!same) throw missing;
  }
  const doc = await RecordImages(ctx.db.conn).findById(keyOf(kind, owner)).lean();
  if (!doc || String(doc.orgId) !== principal.orgId) throw missing;

  return present(doc);
}

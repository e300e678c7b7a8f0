import { Schema, Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import type {
  TQuarantine,
  TQuarantineAnswer,
  TQuarantineState,
  TXmlSignatureSummary,
} from '../../contracts/edxml.js';
import { ObjectId, required } from '../../db/fields.js';
import { downloadFile, fileBucket, uploadFile } from '../../db/files.js';
import { defineModel } from '../../db/model.js';
import type { ParsedPackage } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { actorOf, appendAudit, type AuditActor } from '../audit/index.js';
import { sha256Hex } from '../documents/index.js';

/**
 * Packages from senders that are not organizations of this hub. Importing one used to create
 * the sender on the spot, with whatever name the package claimed; now it waits here, bytes and
 * all, until a hub_admin releases it (the organization is created, sanitized, and the package
 * imported) or rejects it. The XML lives in a GridFS bucket: a package may be 64 MB.
 */
export type QuarantineState = TQuarantineState;

export type QuarantineDoc = {
  _id: Types.ObjectId;
  state: QuarantineState;
  sha256: string;
  size: number;
  fileId: Types.ObjectId;
  /** What the package claims, as read from its signed content (raw: never shown unescaped). */
  header: TQuarantine['header'];
  xmlSignature: TXmlSignatureSummary;
  submittedBy: AuditActor;
  submittedAt: Date;
  decidedBy?: AuditActor;
  decidedAt?: Date;
  reason?: string;
  result?: TQuarantine['result'];
};

const actor = { id: String, name: String, orgId: String, kind: String };

const schema = new Schema<QuarantineDoc>(
  {
    state: {
      type: String,
      required: true,
      enum: ['pending', 'releasing', 'released', 'rejected'],
      index: true,
    },
    sha256: required(String, { index: true }),
    size: required(Number),
    fileId: required(ObjectId),
    header: required(Schema.Types.Mixed),
    xmlSignature: { algorithm: String, subject: String, trusted: Boolean },
    submittedBy: actor,
    submittedAt: required(Date),
    decidedBy: actor,
    decidedAt: Date,
    reason: String,
    result: { type: Schema.Types.Mixed },
  },
  { strict: 'throw', versionKey: false },
);

export const EdxmlQuarantine = defineModel<QuarantineDoc>('EdxmlQuarantine', schema);

export const QUARANTINE_BUCKET = 'edxmlquarantine';

const bucket = (ctx: HubContext) => fileBucket(ctx.db.conn, QUARANTINE_BUCKET);

async function storeXml(ctx: HubContext, xml: string, sha256: string): Promise<Types.ObjectId> {
  return uploadFile(bucket(ctx), `${sha256}.edxml`, [Buffer.from(xml, 'utf8')], { sha256 });
}

export async function quarantinedXml(ctx: HubContext, q: QuarantineDoc): Promise<string> {
  return (await downloadFile(bucket(ctx), q.fileId)).toString('utf8');
}

export function presentQuarantine(q: QuarantineDoc): TQuarantine {
  return {
    id: String(q._id),
    state: q.state,
    sha256: q.sha256,
    size: q.size,
    header: q.header,
    xmlSignature: q.xmlSignature,
    submittedBy: q.submittedBy,
    submittedAt: q.submittedAt.toISOString(),
    ...(q.decidedBy ? { decidedBy: q.decidedBy } : {}),
    ...(q.decidedAt ? { decidedAt: q.decidedAt.toISOString() } : {}),
    ...(q.reason ? { reason: q.reason } : {}),
    ...(q.result ? { result: q.result } : {}),
  };
}

export type QuarantineAnswer = TQuarantineAnswer;

/**
 * Puts a package from an unknown sender aside for a hub_admin, with an audit row naming who
 * submitted it. The same bytes already waiting are not stored twice.
 */
export async function quarantinePackage(
  ctx: HubContext,
  p: Principal,
  xml: string,
  pkg: ParsedPackage,
  xmlSignature: QuarantineDoc['xmlSignature'],
): Promise<QuarantineAnswer> {
  const sha256 = sha256Hex(Buffer.from(xml, 'utf8'));
  const from = pkg.header.from;
  const answer = (id: Types.ObjectId, replayed: boolean): QuarantineAnswer => ({
    quarantined: true,
    quarantineId: String(id),
    replayed,
    sender: { code: from.organId, name: from.organName },
    xmlSignature,
  });
  const waiting = await EdxmlQuarantine(ctx.db.conn)
    .findOne({ sha256, state: { $in: ['pending', 'releasing'] } })
    .select('_id')
    .lean();
  if (waiting) return answer(waiting._id, true);
  const fileId = await storeXml(ctx, xml, sha256);
  const q = await EdxmlQuarantine(ctx.db.conn).create({
    state: 'pending',
    sha256,
    size: Buffer.byteLength(xml, 'utf8'),
    fileId,
    header: {
      from,
      to: pkg.header.to.map((t) => t.organId),
      documentId: pkg.header.documentId,
      code: `${pkg.header.code.number}/${pkg.header.code.notation}`,
      subject: pkg.header.subject,
      bussinessDocType: pkg.bussiness.docType,
    },
    xmlSignature,
    submittedBy: actorOf(p),
    submittedAt: new Date(),
  });
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: 'edxml.quarantined',
    orgIds: [p.orgId],
    target: { type: 'edxml-quarantine', id: String(q._id) },
    details: {
      fromCode: from.organId,
      fromName: from.organName,
      documentId: pkg.header.documentId,
      sha256,
      trusted: xmlSignature.trusted,
    },
  });

  return answer(q._id, false);
}

export async function listQuarantine(
  ctx: HubContext,
  state?: QuarantineState,
): Promise<TQuarantine[]> {
  const docs = await EdxmlQuarantine(ctx.db.conn)
    .find(state ? { state } : {})
    .sort({ submittedAt: -1 })
    .limit(500)
    .lean();

  return docs.map(presentQuarantine);
}

/** Moves an entry from one state to another atomically: two admins cannot both decide it. */
export async function claimQuarantine(
  ctx: HubContext,
  id: string,
  from: QuarantineState,
  to: QuarantineState,
  set: Partial<QuarantineDoc> = {},
): Promise<QuarantineDoc> {
  const _id = new Types.ObjectId(id);
  const q = await EdxmlQuarantine(ctx.db.conn)
    .findOneAndUpdate({ _id, state: from }, { $set: { state: to, ...set } }, { new: true })
    .lean();
  if (q) return q;
  if (!(await EdxmlQuarantine(ctx.db.conn).exists({ _id }))) {
    throw new AppError('NOT_FOUND', 'Không tìm thấy gói edXML đang cách ly.');
  }
  throw new AppError('INVALID_STATE', 'Gói edXML này đã được xử lý (hoặc đang được xử lý).');
}

/** Rejects a waiting package with a reason; its bytes stay as evidence. */
export async function rejectQuarantine(
  ctx: HubContext,
  p: Principal,
  id: string,
  reason: string,
): Promise<TQuarantine> {
  const q = await claimQuarantine(ctx, id, 'pending', 'rejected', {
    decidedBy: actorOf(p),
    decidedAt: new Date(),
    reason,
  });
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: 'edxml.quarantine.rejected',
    orgIds: [...new Set([p.orgId, q.submittedBy.orgId])],
    target: { type: 'edxml-quarantine', id },
    details: { fromCode: q.header.from.organId, reason },
  });

  return presentQuarantine(q);
}

import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { STATUS } from '../../contracts/exchange.js';
import {
  BUSSINESS_REASONS,
  writePackage,
  type BussinessDocType,
  type EdxmlAttachment,
  type EdxmlBussiness,
  type EdxmlPackage,
} from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/index.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { loadDocument, readVersionBytes, type DocumentDoc } from '../documents/index.js';
import { Deliveries, Dispatches, type DeliveryDoc, type DispatchDoc } from '../exchange/index.js';
import { findOrg, findOrgs, type OrgDoc } from '../orgs/index.js';
import { attachmentFiles } from './attachments.js';
import { signerForOrg } from './edxml-signer.js';
import { documentIdOf, documentTypeOf, organOf, priorityOf, vietnamDay } from './mapping.js';

async function visibleDispatch(ctx: HubContext, p: Principal, id: string): Promise<DispatchDoc> {
  const filter: Record<string, unknown> = {
    _id: Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null,
  };
  if (!hasRole(p, 'auditor', 'hub_admin')) filter.orgId = new Types.ObjectId(p.orgId);
  const d = await Dispatches(ctx.db.conn).findOne(filter).lean();
  if (!d) throw new AppError('NOT_FOUND', 'Không tìm thấy lần gửi văn bản.');

  return d;
}

async function orgsById(ctx: HubContext, ids: Types.ObjectId[]): Promise<Map<string, OrgDoc>> {
  const docs = await findOrgs(ctx, { ids });

  return new Map(docs.map((o) => [String(o._id), o]));
}

/** What the sender last did to a dispatch: nothing (0), recall (1), update (2), replace (3). */
type SenderChange = { docType: BussinessDocType; versionId: Types.ObjectId; at?: Date };

/** When the sender last asked for a change (13) on any of these deliveries. */
function lastChangeRequest(deliveries: DeliveryDoc[]): Date | undefined {
  const times = deliveries.flatMap((d) =>
    d.history.filter((h) => h.code === STATUS.RECALLED).map((h) => h.at),
  );

  return times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : undefined;
}

/**
 * A recall wins over any update; otherwise the update whose version is the newest (versions
 * are kept in order). Its 13 time goes into the package, so a second recall is a new package.
 */
async function senderChange(
  ctx: HubContext,
  dispatch: DispatchDoc,
  doc: DocumentDoc,
): Promise<SenderChange> {
  const changed = await Deliveries(ctx.db.conn)
    .find({
      dispatchId: dispatch._id,
      'change.kind': dispatch.recalled ? 'recall' : 'update',
    })
    .select('change history')
    .lean();
  const order = (d: DeliveryDoc) =>
    doc.versions.findIndex((v) => String(v._id) === String(d.change?.versionId));
  const latest = changed.sort((a, b) => order(b) - order(a))[0];
  const at = lastChangeRequest(changed);
  if (dispatch.recalled)
    return { docType: 1, versionId: dispatch.versionId, ...(at ? { at } : {}) };
  if (!latest?.change?.versionId) return { docType: 0, versionId: dispatch.versionId };

  return {
    docType: latest.change.replace ? 3 : 2,
    versionId: latest.change.versionId,
    ...(at ? { at } : {}),
  };
}

function bussinessOf(
  change: SenderChange,
  documentId: string,
  dispatch: DispatchDoc,
  recipientCodes: string[],
): EdxmlBussiness {
  const base = { docType: change.docType, reason: BUSSINESS_REASONS[change.docType] };
  if (change.docType === 0) return { ...base, staffInfo: { staff: dispatch.createdByName } };
  if (change.docType !== 3) return { ...base, documentId };

  return { ...base, documentId, replacements: [{ documentId, organIds: recipientCodes }] };
}

async function packageOf(
  ctx: HubContext,
  dispatch: DispatchDoc,
  doc: DocumentDoc,
): Promise<EdxmlPackage> {
  const sender = (await findOrg(ctx, { id: dispatch.orgId }))!;
  const orgs = await orgsById(ctx, [
    ...dispatch.recipients,
    ...(sender.parentId ? [sender.parentId] : []),
  ]);
  const change = await senderChange(ctx, dispatch, doc);
  const version = doc.versions.find((v) => String(v._id) === String(change.versionId))!;
  const bytes = await readVersionBytes(ctx, String(version._id));
  const documentId = documentIdOf(doc, sender.code);
  const recipientCodes = dispatch.recipients.map((r) => orgs.get(String(r))!.code);
  const m = doc.meta;

  return {
    header: {
      from: organOf(sender, sender.parentId ? orgs.get(String(sender.parentId)) : null),
      to: dispatch.recipients.map((r) => organOf(orgs.get(String(r))!)),
      documentId,
      code: { number: String(m.number), notation: m.notation },
      promulgation: { place: m.issuePlace, date: m.issueDate },
      documentType: documentTypeOf(m.type),
      subject: m.subject,
      ...(m.description ? { content: m.description } : {}),
      signer: {
        fullName: m.signer.fullName,
        position: m.signer.position,
        ...(m.signer.competence ? { competence: m.signer.competence } : {}),
      },
      ...(dispatch.dueDate ? { dueDate: vietnamDay(dispatch.dueDate) } : {}),
      toPlaces: [],
      otherInfo: {
        priority: priorityOf(m.urgency),
        ...(m.pageCount ? { pageAmount: m.pageCount } : {}),
        appendixes: [],
      },
      responseFor: [],
      steeringType: m.type === 'Chỉ thị' ? 2 : 1,
    },
    traces: [
      { organId: sender.code, timestamp: dispatch.createdAt },
      ...(change.at ? [{ organId: sender.code, timestamp: change.at }] : []),
    ],
    bussiness: bussinessOf(change, documentId, dispatch, recipientCodes),
    attachments: [
      {
        contentId: `cid:${String(version._id)}`,
        name: version.fileName,
        contentType: 'application/pdf',
        bytes: new Uint8Array(bytes),
      },
      ...(await keptAttachments(ctx, version._id)),
    ],
  };
}

/** The files that came with the version in an edXML package, after its PDF, in their order. */
async function keptAttachments(
  ctx: HubContext,
  versionId: Types.ObjectId,
): Promise<EdxmlAttachment[]> {
  return (await attachmentFiles(ctx, versionId)).map((a) => ({
    contentId: `cid:${String(versionId)}.${a.index}`,
    name: a.name,
    contentType: a.contentType,
    ...(a.description ? { description: a.description } : {}),
    bytes: new Uint8Array(a.bytes),
  }));
}

/**
 * A package carries the whole document out of the hub: for a confidential one (độ mật other
 * than "thường") the export is an audit row naming who took it (user or API key, by id), written
 * before the package is handed over; if it cannot be written, nothing is handed over.
 */
async function auditConfidentialExport(
  ctx: HubContext,
  p: Principal,
  dispatch: DispatchDoc,
  doc: DocumentDoc,
): Promise<void> {
  if (doc.meta.confidentiality === 'thuong') return;
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: 'edxml.exported-confidential',
    orgIds: [...new Set([String(doc.orgId), p.orgId])],
    target: { type: 'document', id: String(doc._id) },
    details: {
      dispatchId: String(dispatch._id),
      confidentiality: doc.meta.confidentiality,
      register: doc.meta.register,
      principalKind: p.kind,
      ...(p.kind === 'api-key' ? { apiKeyId: p.id } : { userId: p.id }),
    },
  });
}

export type ExportedPackage = {
  xml: string;
  signedBy: 'org-seal' | 'hub';
  signerSubject: string;
  fileName: string;
};

/** One dispatch as a signed edXML package, for the national axis or an agency's own system. */
export async function exportDispatch(
  ctx: HubContext,
  p: Principal,
  dispatchId: string,
): Promise<ExportedPackage> {
  const dispatch = await visibleDispatch(ctx, p, dispatchId);
  const doc = await loadDocument(ctx, String(dispatch.documentId));
  const pkg = await packageOf(ctx, dispatch, doc);
  const { signer, by, subject } = await signerForOrg(ctx, String(dispatch.orgId));
  const xml = await writePackage(pkg, signer);
  await auditConfidentialExport(ctx, p, dispatch, doc);

  return {
    xml,
    signedBy: by,
    signerSubject: subject,
    fileName: `${doc.codeLabel.replace(/[^\w.-]+/g, '_')}.edxml`,
  };
}

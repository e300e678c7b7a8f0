import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { BUSSINESS_REASONS, writePackage, type EdxmlPackage } from '../../edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../auth/principal.js';
import { loadDocument, readVersionBytes } from '../documents/index.js';
import type { DocumentDoc } from '../documents/document.model.js';
import { Dispatches, type DispatchDoc } from '../exchange/delivery.model.js';
import { Orgs, type OrgDoc } from '../orgs/org.model.js';
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
  const docs = await Orgs(ctx.db.conn)
    .find({ _id: { $in: ids } })
    .lean();

  return new Map(docs.map((o) => [String(o._id), o]));
}

async function packageOf(
  ctx: HubContext,
  dispatch: DispatchDoc,
  doc: DocumentDoc,
): Promise<EdxmlPackage> {
  const sender = (await Orgs(ctx.db.conn).findById(dispatch.orgId).lean())!;
  const orgs = await orgsById(ctx, [
    ...dispatch.recipients,
    ...(sender.parentId ? [sender.parentId] : []),
  ]);
  const version = doc.versions.find((v) => String(v._id) === String(dispatch.versionId))!;
  const bytes = await readVersionBytes(ctx, String(version._id));
  const documentId = documentIdOf(doc, sender.code);
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
    traces: [{ organId: sender.code, timestamp: dispatch.createdAt }],
    bussiness: dispatch.recalled
      ? { docType: 1, reason: BUSSINESS_REASONS[1], documentId }
      : {
          docType: 0,
          reason: BUSSINESS_REASONS[0],
          staffInfo: { staff: dispatch.createdByName },
        },
    attachments: [
      {
        contentId: `cid:${String(version._id)}`,
        name: version.fileName,
        contentType: 'application/pdf',
        bytes: new Uint8Array(bytes),
      },
    ],
  };
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

  return {
    xml: await writePackage(pkg, signer),
    signedBy: by,
    signerSubject: subject,
    fileName: `${doc.codeLabel.replace(/[^\w.-]+/g, '_')}.edxml`,
  };
}

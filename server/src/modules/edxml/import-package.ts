import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { ZOrgCreate } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import {
  EdxmlError,
  messageKind,
  parsePackage,
  parseXml,
  verifyXmlSignature,
  type EdxmlOrgan,
  type ParsedPackage,
} from '../../edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../auth/principal.js';
import { createDocument } from '../documents/index.js';
import { Documents, type DocumentDoc } from '../documents/document.model.js';
import { sha256Hex } from '../documents/document.files.js';
import { dispatchDocument } from '../exchange/dispatch-document.js';
import { Deliveries } from '../exchange/delivery.model.js';
import { createOrg } from '../orgs/orgs.service.js';
import { Orgs, type OrgDoc } from '../orgs/org.model.js';
import { metaFromHeader } from './mapping.js';
import { certificateTrusted, checkPdfSignatures, isPdf, type PdfCheck } from './pdf-checks.js';

const MH = 'edXML:MessageHeader';

export type ImportResult = {
  documentId: string;
  dispatchId: string | null;
  replayed: boolean;
  sender: { id: string; code: string; external: boolean; created: boolean };
  deliveries: { id: string; recipientOrgId: string; recipientCode: string }[];
  /** Recipients named in To that do not exist on this hub. */
  skippedRecipients: string[];
  xmlSignature: { algorithm: string; subject: string; trusted: boolean };
  pdfSignatures: PdfCheck[];
  ignoredAttachments: string[];
};

function checkCaller(p: Principal, pkg: ParsedPackage, callerCode: string | undefined): void {
  if (hasRole(p, 'hub_admin')) return;
  const named = [pkg.header.from.organId, ...pkg.header.to.map((t) => t.organId)];
  if (!callerCode || !named.includes(callerCode)) {
    throw new AppError(
      'FORBIDDEN',
      'Gói edXML này không gửi đến và không gửi từ cơ quan của bạn, nên bạn không nhập được.',
    );
  }
}

/** Unknown senders are created as external organizations, flagged for an administrator's review. */
async function senderOrg(
  ctx: HubContext,
  from: EdxmlOrgan,
): Promise<{ org: OrgDoc; created: boolean }> {
  const orgs = Orgs(ctx.db.conn);
  const existing = await orgs.findOne({ code: from.organId }).lean();
  if (existing) return { org: existing, created: false };
  const input = ZOrgCreate.safeParse({
    code: from.organId,
    name: from.organName,
    kind: 'agency',
    level: 'unit',
    contact: {
      ...(from.organAdd ? { address: from.organAdd.slice(0, 300) } : {}),
      ...(from.telephone ? { phone: from.telephone.slice(0, 30) } : {}),
    },
  });
  if (!input.success) {
    const field = input.error.issues[0]!.path[0] === 'name' ? 'OrganName' : 'OrganId';
    throw new EdxmlError(
      'EDXML_BAD_VALUE',
      input.error.issues[0]!.message,
      `${MH}/edXML:From/edXML:${field}`,
    );
  }
  try {
    await createOrg(ctx, input.data, true);
  } catch (err) {
    // Another import created it a moment ago: use that one.
    if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
  }

  return { org: (await orgs.findOne({ code: from.organId }).lean())!, created: true };
}

async function localRecipients(ctx: HubContext, pkg: ParsedPackage, sender: OrgDoc) {
  const codes = [...new Set(pkg.header.to.map((t) => t.organId))];
  const found = await Orgs(ctx.db.conn)
    .find({ code: { $in: codes }, active: true, _id: { $ne: sender._id } })
    .lean();
  if (found.length === 0) {
    throw new EdxmlError(
      'EDXML_NO_RECIPIENT',
      `none of the recipients (${codes.join(', ')}) is an organization of this hub`,
      `${MH}/edXML:To`,
    );
  }
  const have = new Set(found.map((o) => o.code));

  return { found, skipped: codes.filter((c) => !have.has(c)) };
}

function senderPrincipal(caller: Principal, sender: OrgDoc): Principal {
  return {
    kind: 'api-key',
    id: Types.ObjectId.isValid(caller.id) ? caller.id : String(new Types.ObjectId()),
    orgId: String(sender._id),
    roles: ['clerk'],
    name: `edXML (${caller.name})`,
  };
}

/** The same số/ký hiệu/date of the same sender is the same document: reuse it if the PDF matches. */
async function existingDocument(
  ctx: HubContext,
  sender: OrgDoc,
  meta: ReturnType<typeof metaFromHeader>,
  pdfSha: string,
): Promise<DocumentDoc | null> {
  const doc = await Documents(ctx.db.conn)
    .findOne({
      orgId: sender._id,
      'meta.number': meta.number,
      'meta.notation': meta.notation,
      'meta.issueDate': meta.issueDate,
    })
    .lean();
  if (doc && !doc.versions.some((v) => v.sha256 === pdfSha)) {
    throw new AppError(
      'CONFLICT',
      `Văn bản ${meta.number}/${meta.notation} của cơ quan gửi đã có trên trục với nội dung PDF khác.`,
    );
  }

  return doc;
}

function verified(xml: string, doc: ReturnType<typeof parseXml>) {
  const sig = verifyXmlSignature(xml, doc);
  if (!sig.valid) {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      `the XML signature does not verify (${sig.reason ?? 'digest or value mismatch'}): the package was changed after signing`,
      'edXML:edXMLHeader/Signature',
    );
  }

  return sig;
}

/**
 * Imports a signed edXML package: XML signature and PDF signatures checked, sender found or
 * created (external, for review), the document registered under the sender and delivered to
 * the recipients named in To that exist here. Idempotent: the same package again changes nothing.
 */
export async function importPackage(
  ctx: HubContext,
  p: Principal,
  xml: string,
): Promise<ImportResult> {
  const dom = parseXml(xml);
  if (messageKind(dom) === 'status') {
    throw new EdxmlError(
      'EDXML_BAD_INPUT',
      'this is a Status message: POST it to /api/v1/edxml/status',
    );
  }
  const pkg = parsePackage(xml, dom);
  const sig = verified(xml, dom);
  const caller = await Orgs(ctx.db.conn).findById(p.orgId).lean();
  checkCaller(p, pkg, caller?.code);
  if (pkg.bussiness.docType !== 0) {
    throw new EdxmlError(
      'EDXML_UNSUPPORTED',
      `BussinessDocType ${pkg.bussiness.docType} (revocation/update/replacement) is not imported yet; send the change through the REST API`,
      'edXML:TraceHeaderList/edXML:Bussiness/edXML:BussinessDocType',
    );
  }
  const main = pkg.attachments.find(isPdf);
  if (!main) {
    throw new EdxmlError(
      'EDXML_MISSING_ELEMENT',
      'the package carries no PDF document',
      'AttachmentEncoded/Attachment',
    );
  }
  const meta = metaFromHeader(pkg.header);
  const pdfSignatures = await checkPdfSignatures(ctx, pkg.attachments);
  const { org: sender, created } = await senderOrg(ctx, pkg.header.from);
  const { found, skipped } = await localRecipients(ctx, pkg, sender);
  const principal = senderPrincipal(p, sender);
  const existing = await existingDocument(ctx, sender, meta, sha256Hex(main.bytes));
  const documentId = existing
    ? String(existing._id)
    : (await createDocument(ctx, principal, meta, { bytes: main.bytes, originalName: main.name }))
        .id;
  const already = await Deliveries(ctx.db.conn)
    .find({
      documentId: new Types.ObjectId(documentId),
      recipientOrgId: { $in: found.map((o) => o._id) },
    })
    .lean();
  const have = new Set(already.map((d) => String(d.recipientOrgId)));
  const fresh = found.filter((o) => !have.has(String(o._id)));
  const key = `edxml:${createHash('sha256')
    .update(
      `${documentId}:${fresh
        .map((o) => o.code)
        .sort()
        .join(',')}`,
    )
    .digest('hex')
    .slice(0, 40)}`;
  const dispatch = fresh.length
    ? (
        await dispatchDocument(
          ctx,
          principal,
          {
            documentId,
            recipients: fresh.map((o) => String(o._id)),
            ...(meta.dueDate ? { dueDate: meta.dueDate } : {}),
            note: `Nhập từ gói edXML ${pkg.header.documentId}`,
          },
          key,
        )
      ).dispatch
    : null;
  const deliveries = [...already, ...(dispatch?.deliveries ?? [])];
  const codeOf = new Map(found.map((o) => [String(o._id), o.code]));

  return {
    documentId,
    dispatchId: dispatch?.id ?? (already[0] ? String(already[0].dispatchId) : null),
    replayed: fresh.length === 0,
    sender: { id: String(sender._id), code: sender.code, external: sender.external, created },
    deliveries: deliveries.map((d) => ({
      id: 'id' in d ? d.id : String(d._id),
      recipientOrgId: String(d.recipientOrgId),
      recipientCode: codeOf.get(String(d.recipientOrgId)) ?? '',
    })),
    skippedRecipients: skipped,
    xmlSignature: {
      algorithm: sig.algorithm,
      subject: sig.subject,
      trusted: await certificateTrusted(ctx, sig.certificateDer),
    },
    pdfSignatures,
    ignoredAttachments: pkg.attachments.filter((a) => a !== main).map((a) => a.name),
  };
}

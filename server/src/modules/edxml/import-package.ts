import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { TDocumentMeta } from '../../contracts/documents.js';
import type { HubContext } from '../../context.js';
import {
  EdxmlError,
  PACKAGE_LIMITS,
  type EdxmlAttachment,
  type ParsedPackage,
} from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { createDocument, Documents, type DocumentDoc, sha256Hex } from '../documents/index.js';
import { dispatchDocument, Deliveries } from '../exchange/index.js';
import { findOrg, type OrgDoc } from '../orgs/index.js';
import {
  attachmentsOf,
  checkSameAttachments,
  presentAttachment,
  storeAttachments,
} from './attachments.js';
import { importChange } from './import-change.js';
import {
  SIGNED_XML_MAX_BYTES,
  checkCaller,
  localRecipients,
  mainPdf,
  presentImported,
  readPackage,
  senderPrincipal,
  verified,
  type ImportResult,
  type VerifiedSignature,
} from './import-common.js';
import { metaFromHeader } from './mapping.js';
import { certificateTrusted, checkPdfSignatures } from './pdf-checks.js';
import { quarantinePackage, type QuarantineAnswer } from './quarantine.js';
import { bindSender } from './sender-binding.js';

export type { ImportResult } from './import-common.js';
export type { QuarantineAnswer } from './quarantine.js';

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

/**
 * The document the package carries: the one already here (same sender, number, notation, date
 * and PDF; its kept attachments must match the package's) or a new one under the sender.
 */
async function documentOf(
  ctx: HubContext,
  principal: Principal,
  sender: OrgDoc,
  meta: TDocumentMeta,
  files: { main: EdxmlAttachment; extras: EdxmlAttachment[] },
): Promise<{ documentId: string; versionId: Types.ObjectId }> {
  const sha = sha256Hex(files.main.bytes);
  const existing = await existingDocument(ctx, sender, meta, sha);
  if (existing) {
    const versionId = existing.versions.find((v) => v.sha256 === sha)!._id;
    await checkSameAttachments(ctx, versionId, files.extras);

    return { documentId: String(existing._id), versionId };
  }
  const created = await createDocument(ctx, principal, meta, {
    bytes: files.main.bytes,
    originalName: files.main.name,
  });

  return { documentId: created.id, versionId: new Types.ObjectId(created.versions[0]!.id) };
}

/** Dispatches the document to the recipients that have no delivery of it yet. */
async function deliverTo(
  ctx: HubContext,
  principal: Principal,
  pkg: ParsedPackage,
  documentId: string,
  recipients: OrgDoc[],
) {
  const already = await Deliveries(ctx.db.conn)
    .find({
      documentId: new Types.ObjectId(documentId),
      recipientOrgId: { $in: recipients.map((o) => o._id) },
    })
    .lean();
  const have = new Set(already.map((d) => String(d.recipientOrgId)));
  const fresh = recipients.filter((o) => !have.has(String(o._id)));
  const dueDate = pkg.header.dueDate;
  const dispatch = fresh.length
    ? (
        await dispatchDocument(
          ctx,
          principal,
          {
            documentId,
            recipients: fresh.map((o) => String(o._id)),
            ...(dueDate ? { dueDate } : {}),
            note: `Nhập từ gói edXML ${pkg.header.documentId}`,
          },
          dispatchKey(documentId, fresh),
        )
      ).dispatch
    : null;

  return {
    dispatchId: dispatch?.id ?? (already[0] ? String(already[0].dispatchId) : null),
    deliveries: [...already, ...(dispatch?.deliveries ?? [])],
    replayed: fresh.length === 0,
  };
}

/** Retries of one import present the same recipients, so the dispatch key is the same. */
function dispatchKey(documentId: string, recipients: OrgDoc[]): string {
  const codes = recipients
    .map((o) => o.code)
    .sort()
    .join(',');

  return `edxml:${createHash('sha256').update(`${documentId}:${codes}`).digest('hex').slice(0, 40)}`;
}

/** BussinessDocType 0: the document registered under its sender and sent to the recipients. */
async function importNew(
  ctx: HubContext,
  p: Principal,
  pkg: ParsedPackage,
  sender: OrgDoc,
  xmlSignature: ImportResult['xmlSignature'],
): Promise<ImportResult> {
  const main = mainPdf(pkg);
  const extras = pkg.attachments.filter((a) => a !== main);
  const meta = metaFromHeader(pkg.header);
  const pdfSignatures = await checkPdfSignatures(ctx, pkg.attachments);
  const { found, skipped } = await localRecipients(ctx, pkg, sender);
  const principal = senderPrincipal(p, sender);
  const { documentId, versionId } = await documentOf(ctx, principal, sender, meta, {
    main,
    extras,
  });
  const at = { documentId: new Types.ObjectId(documentId), orgId: sender._id, versionId };
  await storeAttachments(ctx, at, extras);
  const sent = await deliverTo(ctx, principal, pkg, documentId, found);
  const codeOf = new Map(found.map((o) => [String(o._id), o.code]));

  return {
    bussinessDocType: 0,
    documentId,
    dispatchId: sent.dispatchId,
    replayed: sent.replayed,
    sender: {
      id: String(sender._id),
      code: sender.code,
      external: sender.external,
      created: false,
    },
    deliveries: sent.deliveries.map((d) => presentImported(d, codeOf)),
    skippedRecipients: skipped,
    xmlSignature,
    pdfSignatures,
    attachments: (await attachmentsOf(ctx, versionId)).map(presentAttachment),
    ignoredAttachments: [],
  };
}

/**
 * The verified signature. A package without one is refused as unsigned (422) when it claims to
 * come from the caller's own organization, and as a forgery (403) when it names another one: the
 * sender cannot be bound without a signature.
 */
async function verifiedFor(
  ctx: HubContext,
  p: Principal,
  xml: string,
  dom: ReturnType<typeof readPackage>['dom'],
  claimed: ParsedPackage,
): Promise<VerifiedSignature> {
  try {
    return verified(xml, dom);
  } catch (err) {
    if (!(err instanceof EdxmlError && err.code === 'EDXML_UNSIGNED')) throw err;
    const from = await findOrg(ctx, { code: claimed.header.from.organId });
    if (from && p.orgId !== String(from._id)) {
      const none = { trusted: false, certificateDer: new Uint8Array(), subject: 'không có' };
      await bindSender(ctx, p, from, none);
    }
    throw err;
  }
}

export type ImportOptions = {
  /** A hub_admin released this package from quarantine: that decision binds an external sender. */
  released?: boolean;
};

/**
 * Imports a signed edXML package. The XML signature must verify, and everything is read from
 * the content it covers. The sender (From) must be bound to the request (sender-binding.ts):
 * 403 otherwise, before anything is written. A sender that is no organization of this hub
 * waits in quarantine for a hub_admin (202, quarantine.ts). A new document (BussinessDocType 0)
 * is registered under its sender and delivered to the recipients named in To that exist here;
 * a revocation, update or replacement (1–3) asks those recipients to agree to the change (see
 * import-change.ts). Idempotent: the same package again changes nothing.
 */
export async function importPackage(
  ctx: HubContext,
  p: Principal,
  xml: string,
  opts: ImportOptions = {},
): Promise<ImportResult | QuarantineAnswer> {
  // read once as sent, so a broken package is answered naming the element at fault
  const { pkg: claimed, dom } = readPackage(xml);
  const sig = await verifiedFor(ctx, p, xml, dom, claimed);
  const { pkg } = readPackage(sig.signedXml, PACKAGE_LIMITS, SIGNED_XML_MAX_BYTES);
  const caller = await findOrg(ctx, { id: p.orgId });
  checkCaller(p, pkg, caller?.code);
  const trusted = await certificateTrusted(ctx, sig.certificateDer, sig.chainDer);
  const xmlSignature = { algorithm: sig.algorithm, subject: sig.subject, trusted };
  const sender = await findOrg(ctx, { code: pkg.header.from.organId });
  if (!sender && pkg.bussiness.docType === 0) {
    return quarantinePackage(ctx, p, xml, pkg, xmlSignature);
  }
  if (sender && !(opts.released && sender.external)) {
    const recipients = pkg.header.to.map((t) => t.organId);
    await bindSender(ctx, p, sender, { ...sig, trusted }, recipients);
  }
  if (pkg.bussiness.docType === 0) return importNew(ctx, p, pkg, sender!, xmlSignature);

  // an unknown sender has no originals here: importChange answers 404 without writing
  return importChange(ctx, p, pkg, { digest: sig.digest, xmlSignature });
}

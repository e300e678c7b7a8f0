import { Types } from 'mongoose';
import type { TAppliedStatus } from '../../contracts/edxml.js';
import { STATUS, type TStatusChange } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import {
  EdxmlError,
  parseStatus,
  parseXml,
  verifyXmlSignature,
  type EdxmlStatus,
  type XmlSignatureCheck,
} from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { Users } from '../auth/index.js';
import {
  changeStatus,
  Deliveries,
  type DeliveryDoc,
  presentDelivery,
  recallDispatch,
  SENDER_ROLES,
} from '../exchange/index.js';
import { findOrg } from '../orgs/index.js';
import { SIGNED_XML_MAX_BYTES, senderPrincipal } from './import-common.js';
import { findByDocumentId } from './original-document.js';
import { certificateTrusted } from './pdf-checks.js';
import { bindSender } from './sender-binding.js';

const ST = 'edXML:Status';

export type AppliedStatus = TAppliedStatus;

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'Không tìm thấy văn bản mà thông điệp trạng thái nhắc đến.');
}

/** The delivery a status answers: document by its edXML DocumentId, then the side of `orgId`. */
async function findDelivery(
  ctx: HubContext,
  s: EdxmlStatus,
  side: 'recipientOrgId' | 'senderOrgId',
  orgId: string,
): Promise<DeliveryDoc> {
  const found = await findByDocumentId(ctx, {
    documentId: s.responseFor.documentId,
    path: `${ST}/edXML:ResponseFor/edXML:DocumentId`,
  });
  if (!found) throw notFound();
  const filter: Record<string, unknown> = {
    documentId: found.doc._id,
    [side]: new Types.ObjectId(orgId),
  };
  if (side === 'recipientOrgId') filter.withdrawn = false;
  const d = await Deliveries(ctx.db.conn).findOne(filter).sort({ _id: -1 }).lean();
  if (!d) throw notFound();

  return d;
}

function reasonOf(s: EdxmlStatus): string {
  if (s.description.trim().length < 3) {
    throw new EdxmlError(
      'EDXML_MISSING_ELEMENT',
      `status ${s.statusCode} needs a reason`,
      `${ST}/edXML:Description`,
    );
  }

  return s.description.trim().slice(0, 1000);
}

/** 04 names the assignee by StaffInfo/Staff (a user of the organization) or is the caller. */
async function assigneeOf(ctx: HubContext, p: Principal, s: EdxmlStatus): Promise<string> {
  const staff = s.staffInfo?.staff;
  if (staff) {
    const u = await Users(ctx.db.conn)
      .findOne({
        orgId: new Types.ObjectId(p.orgId),
        fullName: staff.normalize('NFC'),
        active: true,
      })
      .lean();
    if (u) return String(u._id);
  }
  if (p.kind === 'user') return p.id;
  throw new EdxmlError(
    'EDXML_BAD_VALUE',
    'status 04 must name the assignee: the full name of a user of the organization',
    `${ST}/edXML:StaffInfo/edXML:Staff`,
  );
}

async function changeOf(ctx: HubContext, p: Principal, s: EdxmlStatus): Promise<TStatusChange> {
  const note = s.description ? { note: s.description.slice(0, 1000) } : {};
  switch (s.statusCode) {
    case STATUS.REJECTED:
      return { code: STATUS.REJECTED, reason: reasonOf(s) };
    case STATUS.ACCEPTED:
      return { code: STATUS.ACCEPTED };
    case STATUS.ASSIGNED:
      return { code: STATUS.ASSIGNED, assigneeId: await assigneeOf(ctx, p, s), ...note };
    case STATUS.PROCESSING:
    case STATUS.COMPLETED:
    case STATUS.CHANGE_AGREED:
      return { code: s.statusCode, ...note };
    case STATUS.CHANGE_REFUSED:
      return { code: STATUS.CHANGE_REFUSED, reason: reasonOf(s) };
    default:
      throw new Error(`unreachable status ${s.statusCode}`);
  }
}

/**
 * Who the status speaks for, bound like a package's sender (sender-binding.ts): the caller's own
 * organization, or, for a hub_admin relaying it, the From organization whose trusted seal signed
 * it (the change is then made as a clerk of that organization, so the usual roles apply).
 */
async function boundActor(
  ctx: HubContext,
  caller: Principal,
  s: EdxmlStatus,
  sig: XmlSignatureCheck,
): Promise<Principal> {
  const from = await findOrg(ctx, { code: s.from.organId });
  if (!from) {
    throw new AppError(
      'FORBIDDEN',
      `EDXML_SENDER_MISMATCH: ${ST}/edXML:From/edXML:OrganId: ${s.from.organId} không phải cơ quan trên trục; thông điệp trạng thái phải do chính cơ quan của bạn gửi.`,
      { reason: 'EDXML_SENDER_MISMATCH', element: `${ST}/edXML:From/edXML:OrganId` },
    );
  }
  const trusted = await certificateTrusted(ctx, sig.certificateDer, sig.chainDer);
  const how = await bindSender(ctx, caller, from, { ...sig, trusted });

  return how === 'own' ? caller : senderPrincipal(caller, from);
}

/**
 * Applies an incoming Status message with the REST API's rules (changeStatus / recallDispatch:
 * roles, allowed transitions → 409, receipts, events). The signature must verify, the status is
 * read from what it covers, and `From` must be bound (boundActor). 01 is the hub's own arrival
 * mark: acknowledged only.
 */
export async function applyStatusMessage(
  ctx: HubContext,
  caller: Principal,
  xml: string,
): Promise<AppliedStatus> {
  const dom = parseXml(xml);
  parseStatus(xml, dom); // read as sent first, so errors name the element at fault
  const sig = verifyXmlSignature(xml, dom);
  if (!sig.valid || sig.signedXml === undefined) {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      `the XML signature does not verify (${sig.reason ?? 'digest or value mismatch'})`,
      'edXML:edXMLHeader/Signature',
    );
  }
  // only what the signature covers is read (XML signature wrapping)
  const s = parseStatus(sig.signedXml, parseXml(sig.signedXml, SIGNED_XML_MAX_BYTES));
  const p = await boundActor(ctx, caller, s, sig);
  if (s.statusCode === STATUS.RECALLED) {
    if (!hasRole(p, ...SENDER_ROLES)) {
      throw new AppError(
        'FORBIDDEN',
        `Thu hồi (13) cần một trong các vai trò: ${SENDER_ROLES.join(', ')}.`,
      );
    }
    const d = await findDelivery(ctx, s, 'senderOrgId', p.orgId);
    const dispatch = await recallDispatch(ctx, p, String(d.dispatchId), reasonOf(s));

    return { applied: true, code: STATUS.RECALLED, dispatch };
  }
  const d = await findDelivery(ctx, s, 'recipientOrgId', p.orgId);
  if (s.statusCode === STATUS.ARRIVED)
    return { applied: false, code: STATUS.ARRIVED, delivery: presentDelivery(d) };
  const delivery = await changeStatus(ctx, p, String(d._id), await changeOf(ctx, p, s));

  return { applied: true, code: s.statusCode, delivery };
}

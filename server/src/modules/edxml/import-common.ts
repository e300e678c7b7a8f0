import { Types } from 'mongoose';
import type { TEdxmlImport, TImportedDelivery } from '../../contracts/edxml.js';
import type { TDeliveryBrief } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import {
  EdxmlError,
  MAX_XML_BYTES,
  messageKind,
  PACKAGE_LIMITS,
  parsePackage,
  parseXml,
  verifyXmlSignature,
  type EdxmlAttachment,
  type PackageLimits,
  type ParsedPackage,
  type XmlSignatureCheck,
} from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import type { DeliveryDoc } from '../exchange/index.js';
import { findOrgs, type OrgDoc } from '../orgs/index.js';
import { isPdf } from './pdf-checks.js';

export const MH = 'edXML:MessageHeader';

export type ImportedDelivery = TImportedDelivery;

export type ImportResult = TEdxmlImport;

/**
 * The XML as a package (not a Status message); attachment size over the limit is a 413. With
 * `maxBytes`, the size bound of the text (the signed content re-read after verification is
 * canonical XML, a little longer than what was sent).
 */
export function readPackage(
  xml: string,
  limits: PackageLimits = PACKAGE_LIMITS,
  maxBytes?: number,
): { pkg: ParsedPackage; dom: ReturnType<typeof parseXml> } {
  const dom = parseXml(xml, maxBytes);
  if (messageKind(dom) === 'status') {
    throw new EdxmlError(
      'EDXML_BAD_INPUT',
      'this is a Status message: POST it to /api/v1/edxml/status',
    );
  }
  try {
    return { pkg: parsePackage(xml, dom, limits), dom };
  } catch (err) {
    if (err instanceof EdxmlError && err.code === 'EDXML_ATTACHMENTS_TOO_LARGE') {
      throw new AppError('PAYLOAD_TOO_LARGE', err.message, {
        reason: err.code,
        element: err.element,
      });
    }
    throw err;
  }
}

/** The document itself: the first PDF attachment. */
export function mainPdf(pkg: ParsedPackage): EdxmlAttachment {
  const main = pkg.attachments.find(isPdf);
  if (!main) {
    throw new EdxmlError(
      'EDXML_MISSING_ELEMENT',
      'the package carries no PDF document',
      'AttachmentEncoded/Attachment',
    );
  }

  return main;
}

/** A signature that verified, with the content it covers (see XmlSignatureCheck.signedXml). */
export type VerifiedSignature = XmlSignatureCheck & { signedXml: string };

export function verified(xml: string, doc: ReturnType<typeof parseXml>): VerifiedSignature {
  const sig = verifyXmlSignature(xml, doc);
  if (!sig.valid || sig.signedXml === undefined) {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      `the XML signature does not verify (${sig.reason ?? 'digest or value mismatch'}): the package was changed after signing`,
      'edXML:edXMLHeader/Signature',
    );
  }

  return { ...sig, signedXml: sig.signedXml };
}

/**
 * Canonical XML writes `<a/>` as `<a></a>` and escapes a few characters: the signed content of a
 * package within MAX_XML_BYTES stays well within twice that.
 */
export const SIGNED_XML_MAX_BYTES = 2 * MAX_XML_BYTES;

export function checkCaller(
  p: Principal,
  pkg: ParsedPackage,
  callerCode: string | undefined,
): void {
  if (hasRole(p, 'hub_admin')) return;
  const named = [pkg.header.from.organId, ...pkg.header.to.map((t) => t.organId)];
  if (!callerCode || !named.includes(callerCode)) {
    throw new AppError(
      'FORBIDDEN',
      'Gói edXML này không gửi đến và không gửi từ cơ quan của bạn, nên bạn không nhập được.',
    );
  }
}

/** The To organizations that exist here (not the sender); none at all is a 422 naming To. */
export async function localRecipients(ctx: HubContext, pkg: ParsedPackage, sender: OrgDoc) {
  const codes = [...new Set(pkg.header.to.map((t) => t.organId))];
  const found = (await findOrgs(ctx, { codes, active: true })).filter(
    (o) => !o._id.equals(sender._id),
  );
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

/** The sender's side acts through the hub's own rules, as a clerk of the sender organization. */
export function senderPrincipal(caller: Principal, sender: OrgDoc): Principal {
  return {
    kind: 'api-key',
    id: Types.ObjectId.isValid(caller.id) ? caller.id : String(new Types.ObjectId()),
    orgId: String(sender._id),
    roles: ['clerk'],
    name: `edXML (${caller.name})`,
  };
}

export function presentImported(
  d: DeliveryDoc | TDeliveryBrief,
  codeOf: Map<string, string>,
): ImportedDelivery {
  const change = d.change ? { kind: d.change.kind, state: d.change.state } : null;

  return {
    id: 'id' in d ? d.id : String(d._id),
    recipientOrgId: String(d.recipientOrgId),
    recipientCode: codeOf.get(String(d.recipientOrgId)) ?? '',
    change,
  };
}

import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { fingerprintSha256, OID, parseCertificate } from '../../lib/pki/index.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { findOrg, type OrgDoc } from '../orgs/index.js';
import { IssuedCertificates } from '../pki/index.js';

/** What the import knows about the package's XML signature once it verified. */
export type SignatureTrust = { trusted: boolean; certificateDer: Uint8Array; subject: string };

/** How a sender was bound: the caller is the sender, or relays a package its seal signed. */
export type SenderBinding = 'own' | 'relay';

const FROM = 'edXML:MessageHeader/edXML:From/edXML:OrganId';

/** Every value of one attribute type in a certificate's subject (several = ambiguous). */
function subjectValues(der: Uint8Array, oid: string): string[] {
  return parseCertificate(der)
    .subject.typesAndValues.filter((tv) => tv.type === oid)
    .map((tv) => (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value)
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.normalize('NFC').trim());
}

/**
 * Whether a certificate names an organization. The organization-seal profile carries the
 * national code as organizationIdentifier (2.5.4.97): when present it must be the code, and
 * nothing else decides. A certificate without one (another CA's profile) must carry the
 * organization's exact name as its only O. Any duplicate of either attribute names nobody.
 */
export function certificateNamesOrg(der: Uint8Array, org: Pick<OrgDoc, 'code' | 'name'>): boolean {
  let ids: string[];
  let names: string[];
  try {
    ids = subjectValues(der, OID.organizationIdentifier);
    names = subjectValues(der, OID.organizationName);
  } catch {
    return false;
  }
  if (ids.length > 1 || names.length > 1) return false;
  if (ids.length === 1) return ids[0] === org.code;

  return names.length === 1 && names[0] === org.name.normalize('NFC').trim();
}

/**
 * Whether the signing certificate speaks for the sender. A certificate this hub issued says so
 * in its record: an organization's seal or personal certificate speaks for that organization
 * only; the hub's own edXML seal (a seal of no organization) for any organization of the hub,
 * since the hub signs with it only packages and status messages it wrote itself from its own
 * records (exports of dispatches, status messages of deliveries). Any other certificate must
 * name the sender in its subject (certificateNamesOrg).
 */
async function speaksFor(
  ctx: HubContext,
  der: Uint8Array,
  sender: Pick<OrgDoc, '_id' | 'code' | 'name'>,
): Promise<boolean> {
  const record = await IssuedCertificates(ctx.db.conn)
    .findOne({ fingerprintSha256: fingerprintSha256(der) })
    .select('kind orgId')
    .lean();
  if (!record) return certificateNamesOrg(der, sender);
  if (record.orgId) return String(record.orgId) === String(sender._id);

  return record.kind === 'seal';
}

function refuse(code: string, why: string): AppError {
  return new AppError(
    'FORBIDDEN',
    `EDXML_SENDER_MISMATCH: ${FROM}: gói ghi gửi từ ${code} nhưng ${why}. Không có gì được lưu hay gửi đi.`,
    { reason: 'EDXML_SENDER_MISMATCH', element: FROM },
  );
}

/**
 * Identity is bound, not claimed. A package (or status message) whose From is `sender` is
 * accepted when:
 * - the caller belongs to the sender organization (a user or an API key of it), or
 * - its XML signature is trusted (chains to this hub's anchors) and its certificate speaks for
 *   the sender (speaksFor), and the caller may relay: a hub_admin (the operator of the axis link, CLI included)
 *   or, for a package, an organization named in its To (an agency fetching its own mail from
 *   the national axis). The seal vouches for the content, the relay only carries it.
 * Nobody, hub_admin included, may file an unsigned or untrusted package in another
 * organization's name: 403, and nothing has been written yet.
 */
export async function bindSender(
  ctx: HubContext,
  p: Principal,
  sender: Pick<OrgDoc, '_id' | 'code' | 'name'>,
  sig: SignatureTrust,
  recipientCodes: string[] = [],
): Promise<SenderBinding> {
  if (p.orgId === String(sender._id)) return 'own';
  const caller = await findOrg(ctx, { id: p.orgId });
  const callerCode = caller?.code ?? '?';
  if (!sig.trusted) {
    throw refuse(
      sender.code,
      `bạn thuộc cơ quan ${callerCode} và chữ ký XML (${sig.subject}) không chuỗi về chứng thư gốc mà trục tin cậy`,
    );
  }
  if (!(await speaksFor(ctx, sig.certificateDer, sender))) {
    throw refuse(
      sender.code,
      `chứng thư ký (${sig.subject}) không mang mã định danh ${sender.code} hay tên "${sender.name}"`,
    );
  }
  const relay = hasRole(p, 'hub_admin') || (!!caller && recipientCodes.includes(caller.code));
  if (!relay) {
    throw refuse(
      sender.code,
      `bạn thuộc cơ quan ${callerCode}: chỉ cơ quan gửi, cơ quan nhận có tên trong To hoặc quản trị trục mới chuyển được gói này`,
    );
  }

  return 'relay';
}

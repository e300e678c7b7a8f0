import { X509Certificate } from 'node:crypto';
import type { TSigningSessionCreate } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { assertStrongKey, fingerprintSha256, pemBlocks } from '../../lib/pki/index.js';
import { certFromDer, type Cert } from '../../lib/pki/index.js';
import { buildChain } from '../../lib/validation/chain.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { Users } from '../auth/index.js';
import { getOrg } from '../orgs/index.js';
import {
  findCertificate,
  toBytes,
  hubPki,
  IssuedCertificates,
  type IssuedDoc,
  trustAnchors,
} from '../pki/index.js';

/** The certificate an external signature will be made with, and what to record about it. */
export type ExternalCertificate = {
  chain: Uint8Array[];
  kind: 'personal' | 'seal';
  subjectName: string;
  serial: string;
};

type Kind = ExternalCertificate['kind'];

/** More certificates than any real chain (leaf, one or two intermediates, root) has. */
const MAX_PRESENTED = 6;

function checkValidNow(der: Uint8Array): X509Certificate {
  const x = new X509Certificate(der);
  const now = Date.now();
  if (new Date(x.validFrom).getTime() > now || new Date(x.validTo).getTime() <= now) {
    throw new AppError('INVALID_STATE', 'Chứng thư số đã hết hạn hoặc chưa có hiệu lực.');
  }

  return x;
}

/** A signing certificate: an end entity whose key usage allows signatures (RFC 5280 §4.2.1.3). */
function checkSigningUse(cert: Cert): void {
  const usage = cert.keyUsage;
  if (cert.isCA || !usage || !(usage.has('digitalSignature') || usage.has('nonRepudiation'))) {
    throw new AppError(
      'UNPROCESSABLE',
      'Chứng thư số này không dùng để ký (thiếu mục đích digitalSignature/nonRepudiation hoặc là chứng thư CA).',
    );
  }
}

/** Who may sign with a hub-recorded certificate: the personal one's own user, a seal's clerks. */
function checkRecordHolder(principal: Principal, doc: IssuedDoc): Kind {
  if ((doc.kind !== 'personal' && doc.kind !== 'seal') || String(doc.orgId) !== principal.orgId) {
    throw new AppError(
      'FORBIDDEN',
      'Chứng thư số do trục cấp này không thuộc về người ký hoặc cơ quan của người ký.',
    );
  }
  if (
    doc.kind === 'personal' &&
    (String(doc.userId) !== principal.id || !hasRole(principal, 'signer'))
  ) {
    throw new AppError(
      'FORBIDDEN',
      'Chỉ chính người được cấp mới ký được bằng chứng thư số cá nhân này.',
    );
  }
  if (doc.kind === 'seal' && !hasRole(principal, 'clerk')) {
    throw new AppError('FORBIDDEN', 'Chỉ văn thư của cơ quan mới dùng được chứng thư số cơ quan.');
  }
  if (doc.status === 'revoked') {
    throw new AppError('INVALID_STATE', 'Chứng thư số đã bị thu hồi, không thể dùng để ký.');
  }

  return doc.kind;
}

/** A hub-issued certificate whose key stays with the signer (issued from a CSR). */
async function hubIssued(
  ctx: HubContext,
  principal: Principal,
  certificateId: string,
): Promise<ExternalCertificate> {
  const doc = await findCertificate(ctx, principal, certificateId);
  if (String(doc.orgId) !== principal.orgId || (doc.kind !== 'personal' && doc.kind !== 'seal')) {
    throw new AppError('NOT_FOUND', 'Không tìm thấy chứng thư số.');
  }
  const kind = checkRecordHolder(principal, doc);
  const der = toBytes(doc.certificate);
  const x = checkValidNow(der);
  // certificates issued before the key rule existed are not used either
  assertStrongKey(x.publicKey, 'chứng thư số');
  checkSigningUse(certFromDer(der));
  const pki = await hubPki(ctx);

  return {
    chain: [der, pki.issuing.certificate, pki.root.certificate],
    kind,
    subjectName: doc.subject.commonName,
    serial: x.serialNumber.toLowerCase(),
  };
}

/** Names compared as people write them: NFC, one space, case-insensitive; diacritics count. */
function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string) =>
    s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');

  return Boolean(a && b) && norm(a!) === norm(b!);
}

const NOT_SIGNER =
  'Chứng thư số không mang danh tính của người ký trên trục (họ tên, cơ quan hoặc thư điện tử không khớp).';

/**
 * A certificate of a national CA (TRUST_DIR) belongs to the session's signer when its subject
 * names them as the hub knows them. Personal: CN = the user's full name AND (O = the
 * organization's name OR organizationIdentifier = its code), and a subject e-mail, when both
 * exist, equal to the user's. Seal: O or organizationIdentifier of the signer's organization.
 * A name alone is not enough: two people may share one.
 */
async function checkNationalHolder(
  ctx: HubContext,
  principal: Principal,
  leaf: Cert,
  kind: Kind,
): Promise<void> {
  const org = await getOrg(ctx, principal.orgId);
  const sameOrg =
    sameText(leaf.attribute('O'), org.name) ||
    sameText(leaf.attribute('organizationIdentifier'), org.code);
  if (kind === 'seal') {
    if (!hasRole(principal, 'clerk')) {
      throw new AppError(
        'FORBIDDEN',
        'Chỉ văn thư của cơ quan mới dùng được chứng thư số cơ quan.',
      );
    }
    if (!sameOrg) {
      throw new AppError(
        'FORBIDDEN',
        'Chứng thư số cơ quan này không mang tên cơ quan của người ký.',
      );
    }

    return;
  }
  if (!hasRole(principal, 'signer')) {
    throw new AppError(
      'FORBIDDEN',
      'Chỉ người có vai trò người ký mới ký được bằng chứng thư cá nhân.',
    );
  }
  const user = await Users(ctx.db.conn).findById(principal.id).lean();
  const email = leaf.attribute('E');
  if (
    !user ||
    !sameText(leaf.attribute('CN'), user.fullName) ||
    !sameOrg ||
    (email && user.email && !sameText(email, user.email))
  ) {
    throw new AppError('FORBIDDEN', NOT_SIGNER);
  }
}

/**
 * The path from the presented certificate to a trust anchor (the hub's root or a TRUST_DIR
 * certificate), every link's signature checked, every CA in it a CA and valid now.
 */
async function trustedPath(ctx: HubContext, leaf: Cert, presented: Cert[]): Promise<Cert[]> {
  const pki = await hubPki(ctx);
  const anchors = (await trustAnchors(ctx)).map((der) => certFromDer(der));
  const pool = [...presented, certFromDer(pki.issuing.certificate)];
  const { chain, trusted } = buildChain(leaf, pool, { anchors });
  if (!trusted || chain.length < 2) {
    throw new AppError(
      'UNPROCESSABLE',
      'Chứng thư số không được cấp bởi CA của trục hay một CA trong danh sách tin cậy quốc gia; không ký được bằng chứng thư tự tạo.',
    );
  }
  for (const ca of chain.slice(1)) {
    if (!ca.isCA) {
      throw new AppError('UNPROCESSABLE', 'Chuỗi chứng thư có một chứng thư không phải CA.');
    }
    checkValidNow(ca.der);
  }

  return chain;
}

function readPresented(input: { certificatePem: string; chainPem?: string }): Cert[] {
  const leaf = pemBlocks(input.certificatePem)[0];
  if (!leaf) throw new AppError('VALIDATION_FAILED', 'certificatePem: không có khối CERTIFICATE.');
  const blocks = [leaf, ...pemBlocks(input.chainPem ?? '')];
  if (blocks.length > MAX_PRESENTED) {
    throw new AppError('VALIDATION_FAILED', `Chuỗi chứng thư tối đa ${MAX_PRESENTED} chứng thư.`);
  }
  try {
    return blocks.map((der) => certFromDer(der));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'certificatePem: chứng thư số không đọc được.');
  }
}

/**
 * A certificate the signer presents (e.g. from a USB token). Accepted only when it is a strong,
 * valid signing certificate that chains to the hub's CA or the national trust list and belongs
 * to the caller: a hub-issued one through the hub's record (issued to this user / this
 * organization, not revoked), a national one through its subject (checkNationalHolder).
 */
async function presented(
  ctx: HubContext,
  principal: Principal,
  input: { certificatePem: string; chainPem?: string; kind?: Kind },
): Promise<ExternalCertificate> {
  const [leaf, ...rest] = readPresented(input);
  let x: X509Certificate;
  try {
    x = new X509Certificate(leaf!.der);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'certificatePem: chứng thư số không đọc được.');
  }
  assertStrongKey(x.publicKey, 'chứng thư số');
  checkValidNow(leaf!.der);
  checkSigningUse(leaf!);
  const chain = await trustedPath(ctx, leaf!, rest);
  const pki = await hubPki(ctx);
  const serial = x.serialNumber.toLowerCase();
  // issued by the hub's CA: the hub's own record says whose it is
  if (chain[1]!.sha256 === certFromDer(pki.issuing.certificate).sha256) {
    const doc = (await IssuedCertificates(ctx.db.conn)
      .findOne({ fingerprintSha256: fingerprintSha256(leaf!.der) })
      .lean()) as IssuedDoc | null;
    if (!doc) {
      throw new AppError('FORBIDDEN', 'Trục không có hồ sơ cấp chứng thư số này cho người ký.');
    }
    const kind = checkRecordHolder(principal, doc);
    if (input.kind && input.kind !== kind) {
      throw new AppError('VALIDATION_FAILED', `Chứng thư số này là chứng thư loại ${kind}.`);
    }

    return {
      chain: [leaf!.der, pki.issuing.certificate, pki.root.certificate],
      kind,
      subjectName: doc.subject.commonName,
      serial,
    };
  }
  const kind = input.kind ?? 'personal';
  await checkNationalHolder(ctx, principal, leaf!, kind);

  return {
    chain: chain.map((c) => c.der),
    kind,
    subjectName: leaf!.attribute('CN') ?? leaf!.subject,
    serial,
  };
}

export function externalCertificate(
  ctx: HubContext,
  principal: Principal,
  input: TSigningSessionCreate,
): Promise<ExternalCertificate> {
  return 'certificateId' in input
    ? hubIssued(ctx, principal, input.certificateId)
    : presented(ctx, principal, input);
}

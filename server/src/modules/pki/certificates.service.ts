import type { KeyObject } from 'node:crypto';
import { Types } from 'mongoose';
import type {
  TCertificate,
  TCertificateListQuery,
  TPersonalIssue,
  TSealIssue,
} from '../../contracts/pki.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import {
  certificatePublicKey,
  fingerprintSha256,
  fromPem,
  generateKeyPair,
  issueCertificate,
  issueFromCsr,
  parseCertificate,
  pemBlocks,
  toPem,
  type DistinguishedName,
  type IssuedCertificate,
  type KeyAlgorithm,
} from '../../lib/pki/index.js';
import { actorOf, appendAudit } from '../audit/index.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { Users } from '../auth/index.js';
import { getOrg } from '../orgs/index.js';
import { toBytes } from './bytes.js';
import { hubPki, sealKey } from './hub-hierarchy.js';
import { IssuedCertificates, type IssuedDoc, type SealedKeyDoc } from './models.js';
import { forgetCrl } from './responders.js';

const NOT_FOUND = 'Không tìm thấy chứng thư số.';

export function presentCertificate(d: IssuedDoc): TCertificate {
  return {
    id: String(d._id),
    serialHex: d.serialHex,
    kind: d.kind,
    orgId: d.orgId ? String(d.orgId) : null,
    userId: d.userId ? String(d.userId) : null,
    subject: { ...d.subject },
    algorithm: d.algorithm,
    notBefore: d.notBefore.toISOString(),
    notAfter: d.notAfter.toISOString(),
    status: d.status,
    revokedAt: d.revokedAt ? d.revokedAt.toISOString() : null,
    reason: d.reason,
    keyOnHub: d.keyOnHub,
    fingerprintSha256: d.fingerprintSha256,
    createdAt: (d.createdAt ?? new Date(0)).toISOString(),
    certificatePem: toPem(toBytes(d.certificate)),
  };
}

/** Reading any organization's certificates: hub administrators and auditors. */
function seesAllOrgs(p: Principal): boolean {
  return hasRole(p, 'hub_admin', 'auditor');
}

function keyDescription(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') return d?.namedCurve === 'prime256v1' ? 'p256' : 'ec';

  return `${key.asymmetricKeyType ?? 'key'}${d?.modulusLength ?? ''}`;
}

type NewCertificate = {
  kind: 'seal' | 'personal';
  orgId: Types.ObjectId;
  userId: Types.ObjectId | null;
  subject: DistinguishedName;
  issued: IssuedCertificate;
  sealedKey?: SealedKeyDoc;
};

async function store(
  ctx: HubContext,
  principal: Principal,
  c: NewCertificate,
): Promise<TCertificate> {
  const cert = parseCertificate(c.issued.der);
  const doc = await IssuedCertificates(ctx.db.conn).create({
    serialHex: c.issued.serialHex,
    kind: c.kind,
    orgId: c.orgId,
    userId: c.userId,
    subject: {
      commonName: c.subject.commonName,
      ...(c.subject.organization ? { organization: c.subject.organization } : {}),
      ...(c.subject.organizationIdentifier
        ? { organizationIdentifier: c.subject.organizationIdentifier }
        : {}),
      ...(c.subject.title ? { title: c.subject.title } : {}),
    },
    algorithm: keyDescription(certificatePublicKey(cert)),
    notBefore: cert.notBefore.value,
    notAfter: c.issued.notAfter,
    status: 'good',
    keyOnHub: c.sealedKey !== undefined,
    ...(c.sealedKey ? { sealedKey: c.sealedKey } : {}),
    certificate: Buffer.from(c.issued.der),
    fingerprintSha256: fingerprintSha256(c.issued.der),
    issuedBy: Types.ObjectId.isValid(principal.id) ? new Types.ObjectId(principal.id) : null,
  });
  ctx.log.info(
    {
      certificateId: String(doc._id),
      serialHex: doc.serialHex,
      kind: c.kind,
      orgId: String(c.orgId),
    },
    'PKI: certificate issued',
  );
  await appendAudit(ctx, {
    actor: actorOf(principal),
    action: `certificate.issued.${c.kind}`,
    orgIds: [String(c.orgId)],
    target: { type: 'certificate', id: String(doc._id) },
    details: { serialHex: doc.serialHex, keyOnHub: c.sealedKey !== undefined },
  });
  const plain = doc.toObject() as IssuedDoc;
  delete plain.sealedKey;

  return presentCertificate(plain);
}

async function issueWithHubKey(
  ctx: HubContext,
  kind: 'organization-seal' | 'personal-signer',
  subject: DistinguishedName,
  algorithm: KeyAlgorithm,
  validityDays: number | undefined,
): Promise<{ issued: IssuedCertificate; sealedKey: SealedKeyDoc }> {
  const pki = await hubPki(ctx);
  const keys = generateKeyPair(algorithm);
  const issued = await issueCertificate({
    kind,
    subject,
    publicKey: keys.publicKey,
    issuer: { certificate: pki.issuing.certificate, signer: pki.issuing.signer },
    publicUrl: ctx.config.publicUrl,
    ...(validityDays ? { validityDays } : {}),
  });

  return { issued, sealedKey: sealKey(ctx, keys.privateKey) };
}

/** The organization's seal certificate (O = name, organizationIdentifier = code), key on the hub. */
export async function issueSealCertificate(
  ctx: HubContext,
  principal: Principal,
  input: TSealIssue,
): Promise<TCertificate> {
  const orgId = input.orgId ?? principal.orgId;
  if (!hasRole(principal, 'hub_admin') && orgId !== principal.orgId) {
    throw new AppError('NOT_FOUND', 'Không tìm thấy cơ quan, tổ chức.');
  }
  const org = await getOrg(ctx, orgId);
  const subject: DistinguishedName = {
    country: 'VN',
    organization: org.name,
    organizationIdentifier: org.code,
    commonName: org.name,
  };
  const { issued, sealedKey } = await issueWithHubKey(
    ctx,
    'organization-seal',
    subject,
    input.algorithm,
    input.validityDays,
  );

  return store(ctx, principal, {
    kind: 'seal',
    orgId: org._id,
    userId: null,
    subject,
    issued,
    sealedKey,
  });
}

function csrDer(pem: string): Uint8Array {
  const blocks = pemBlocks(pem, 'CERTIFICATE REQUEST');

  return blocks[0] ?? fromPem(pem, 'NEW CERTIFICATE REQUEST');
}

/**
 * Who may ask for a personal certificate in `userId`'s name (security issue #26, H2):
 * - with a CSR (a key the caller supplies): only the holder, logged in as themselves with role
 *   signer. The CSR's signature proves the caller holds the key, so a certificate in a person's
 *   name only ever certifies a key that person submitted; an administrator's CSR for someone
 *   else would let the administrator sign as them;
 * - without a CSR (key made and sealed on the hub, usable only by the holder after their
 *   password, see signing-keys.ts): the organization's administrator, or the holder.
 */
function checkPersonalRequester(principal: Principal, input: TPersonalIssue): void {
  const isHolder = principal.kind === 'user' && principal.id === input.userId;
  if (input.csr) {
    if (!isHolder) {
      throw new AppError(
        'FORBIDDEN',
        'Chỉ chính người được cấp mới gửi được yêu cầu cấp chứng thư (CSR) cho khóa của mình; quản trị viên không được xin chứng thư cá nhân cho khóa do mình cung cấp.',
      );
    }
    if (!hasRole(principal, 'signer')) {
      throw new AppError(
        'FORBIDDEN',
        'Chỉ người có vai trò người ký mới được cấp chứng thư số cá nhân.',
      );
    }

    return;
  }
  if (
    !hasRole(principal, 'hub_admin', 'org_admin') &&
    !(isHolder && hasRole(principal, 'signer'))
  ) {
    throw new AppError(
      'FORBIDDEN',
      'Chỉ quản trị viên của cơ quan hoặc chính người ký mới yêu cầu được chứng thư số cá nhân.',
    );
  }
}

const personName = (s: string) =>
  s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');

/**
 * A personal certificate names its holder by full name only (CN, O, title), so a second signer
 * account with the same name in the same organization — which an administrator could create
 * for themselves — would get a certificate indistinguishable from the real leader's. Refused
 * until the names differ.
 */
async function checkDistinctName(
  ctx: HubContext,
  user: { _id: Types.ObjectId; orgId: Types.ObjectId; fullName: string },
): Promise<void> {
  const others = await Users(ctx.db.conn)
    .find(
      { orgId: user.orgId, _id: { $ne: user._id }, active: true, roles: 'signer' },
      { fullName: 1 },
    )
    .lean();
  const name = personName(user.fullName);
  if (others.some((o) => personName(o.fullName) === name)) {
    throw new AppError(
      'CONFLICT',
      `Cơ quan đã có người ký khác cùng họ tên "${user.fullName}": chứng thư số cá nhân chỉ cấp khi họ tên phân biệt được, để không ai ký dưới danh nghĩa người khác.`,
    );
  }
}

/**
 * A personal signing certificate for a user of the organization (CN = full name, title). The
 * key is made on the hub and sealed, or comes from the holder's own CSR and never reaches the
 * hub. See checkPersonalRequester for who may ask.
 */
export async function issuePersonalCertificate(
  ctx: HubContext,
  principal: Principal,
  input: TPersonalIssue,
): Promise<TCertificate> {
  checkPersonalRequester(principal, input);
  const user = await Users(ctx.db.conn).findById(input.userId).lean();
  if (!user || (!hasRole(principal, 'hub_admin') && String(user.orgId) !== principal.orgId)) {
    throw new AppError('NOT_FOUND', 'Không tìm thấy người dùng.');
  }
  if (!user.active) throw new AppError('INVALID_STATE', 'Tài khoản người dùng đã bị khóa.');
  await checkDistinctName(ctx, user);
  const org = await getOrg(ctx, String(user.orgId));
  const subject: DistinguishedName = {
    country: 'VN',
    organization: org.name,
    ...(user.title ? { title: user.title } : {}),
    commonName: user.fullName.normalize('NFC'),
  };
  const base = { kind: 'personal' as const, orgId: org._id, userId: user._id, subject };
  if (input.csr) {
    const pki = await hubPki(ctx);
    const issued = await issueFromCsr({
      kind: 'personal-signer',
      csr: csrDer(input.csr),
      // The hub vouches for the name it knows, not for whatever the CSR claims.
      subject,
      issuer: { certificate: pki.issuing.certificate, signer: pki.issuing.signer },
      publicUrl: ctx.config.publicUrl,
      ...(input.validityDays ? { validityDays: input.validityDays } : {}),
    });

    return store(ctx, principal, { ...base, issued });
  }
  const made = await issueWithHubKey(
    ctx,
    'personal-signer',
    subject,
    input.algorithm,
    input.validityDays,
  );

  return store(ctx, principal, { ...base, ...made });
}

/** One certificate the caller may see (own organization; hub admin / auditor: any). */
export async function findCertificate(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<IssuedDoc> {
  const doc = Types.ObjectId.isValid(id)
    ? ((await IssuedCertificates(ctx.db.conn).findById(id).lean()) as IssuedDoc | null)
    : null;
  if (!doc || (!seesAllOrgs(principal) && String(doc.orgId) !== principal.orgId)) {
    throw new AppError('NOT_FOUND', NOT_FOUND);
  }

  return doc;
}

export async function listCertificates(
  ctx: HubContext,
  principal: Principal,
  q: TCertificateListQuery,
): Promise<TCertificate[]> {
  const filter: Record<string, unknown> = {};
  if (!seesAllOrgs(principal)) {
    if (q.orgId && q.orgId !== principal.orgId) return [];
    filter.orgId = new Types.ObjectId(principal.orgId);
  } else if (q.orgId) filter.orgId = new Types.ObjectId(q.orgId);
  if (q.userId) filter.userId = new Types.ObjectId(q.userId);
  if (q.kind) filter.kind = q.kind;
  if (q.status) filter.status = q.status;
  const docs = (await IssuedCertificates(ctx.db.conn)
    .find(filter)
    .sort({ createdAt: -1 })
    .limit(q.limit)
    .lean()) as unknown as IssuedDoc[];

  return docs.map(presentCertificate);
}

export async function certificatePem(
  ctx: HubContext,
  principal: Principal,
  id: string,
  withChain: boolean,
): Promise<string> {
  const doc = await findCertificate(ctx, principal, id);
  const pem = toPem(toBytes(doc.certificate));
  if (!withChain) return pem;
  const pki = await hubPki(ctx);

  return pem + toPem(pki.issuing.certificate) + toPem(pki.root.certificate);
}

/** Revoke with an RFC 5280 reason; hub admin, or org admin of the owning organization. */
export async function revokeCertificate(
  ctx: HubContext,
  principal: Principal,
  id: string,
  reason: number,
): Promise<TCertificate> {
  const doc = await findCertificate(ctx, principal, id);
  if (!hasRole(principal, 'hub_admin') && String(doc.orgId) !== principal.orgId) {
    throw new AppError('NOT_FOUND', NOT_FOUND);
  }
  if (doc.kind === 'tsa' || doc.kind === 'ocsp') {
    throw new AppError(
      'INVALID_STATE',
      'Chứng thư của dịch vụ TSA/OCSP của trục không thu hồi qua API; hãy thay hệ thống CA.',
    );
  }
  const updated = (await IssuedCertificates(ctx.db.conn)
    .findOneAndUpdate(
      { _id: doc._id, status: 'good' },
      {
        $set: {
          status: 'revoked',
          revokedAt: new Date(Math.floor(Date.now() / 1000) * 1000),
          reason,
          revokedBy: Types.ObjectId.isValid(principal.id) ? new Types.ObjectId(principal.id) : null,
        },
      },
      { new: true },
    )
    .lean()) as IssuedDoc | null;
  if (!updated) throw new AppError('INVALID_STATE', 'Chứng thư số đã bị thu hồi trước đó.');
  forgetCrl(ctx);
  ctx.log.info(
    { certificateId: id, serialHex: updated.serialHex, reason },
    'PKI: certificate revoked',
  );
  await appendAudit(ctx, {
    actor: actorOf(principal),
    action: 'certificate.revoked',
    orgIds: updated.orgId ? [String(updated.orgId)] : [],
    target: { type: 'certificate', id },
    details: { serialHex: updated.serialHex, reason },
  });

  return presentCertificate(updated);
}

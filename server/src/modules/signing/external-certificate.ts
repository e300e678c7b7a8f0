import { X509Certificate } from 'node:crypto';
import type { TSigningSessionCreate } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { pemBlocks } from '../../pki/index.js';
import { hasRole, type Principal } from '../auth/principal.js';
import { findCertificate } from '../pki/certificates.service.js';
import { toBytes } from '../pki/bytes.js';
import { hubPki } from '../pki/hub-hierarchy.js';

/** The certificate an external signature will be made with, and what to record about it. */
export type ExternalCertificate = {
  chain: Uint8Array[];
  kind: 'personal' | 'seal';
  subjectName: string;
  serial: string;
};

function checkValidNow(der: Uint8Array): X509Certificate {
  const x = new X509Certificate(der);
  const now = Date.now();
  if (new Date(x.validFrom).getTime() > now || new Date(x.validTo).getTime() <= now) {
    throw new AppError('INVALID_STATE', 'Chứng thư số đã hết hạn hoặc chưa có hiệu lực.');
  }

  return x;
}

function commonName(x: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]+)/.exec(x.subject)?.[1]?.trim() ?? x.subject;
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
  const der = toBytes(doc.certificate);
  const x = checkValidNow(der);
  const pki = await hubPki(ctx);

  return {
    chain: [der, pki.issuing.certificate, pki.root.certificate],
    kind: doc.kind,
    subjectName: doc.subject.commonName,
    serial: x.serialNumber.toLowerCase(),
  };
}

/** A certificate the signer presents (e.g. from a USB token issued by another CA). */
async function presented(
  ctx: HubContext,
  input: { certificatePem: string; chainPem?: string; kind?: 'personal' | 'seal' },
): Promise<ExternalCertificate> {
  const leaf = pemBlocks(input.certificatePem)[0];
  if (!leaf) throw new AppError('VALIDATION_FAILED', 'certificatePem: không có khối CERTIFICATE.');
  let x: X509Certificate;
  try {
    x = checkValidNow(leaf);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('VALIDATION_FAILED', 'certificatePem: chứng thư số không đọc được.');
  }
  let chain = [leaf, ...pemBlocks(input.chainPem ?? '')];
  if (chain.length === 1) {
    // issued by this hub's CA: complete the chain ourselves
    const pki = await hubPki(ctx);
    if (x.checkIssued(new X509Certificate(pki.issuing.certificate))) {
      chain = [leaf, pki.issuing.certificate, pki.root.certificate];
    }
  }

  return {
    chain,
    kind: input.kind ?? 'personal',
    subjectName: commonName(x),
    serial: x.serialNumber.toLowerCase(),
  };
}

export function externalCertificate(
  ctx: HubContext,
  principal: Principal,
  input: TSigningSessionCreate,
): Promise<ExternalCertificate> {
  return 'certificateId' in input
    ? hubIssued(ctx, principal, input.certificateId)
    : presented(ctx, input);
}

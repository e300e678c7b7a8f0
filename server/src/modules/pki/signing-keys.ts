import { Types } from 'mongoose';
import { keySigner, type CmsSigner } from '../../lib/cms/signer.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import type { RevocationProvider } from '../../lib/pades/options.js';
import {
  assertStrongKey,
  certFromDer,
  ocspRequest,
  timestampWith,
  type TimestampFunction,
} from '../../lib/pki/index.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { toBytes } from './bytes.js';
import { hubPki, openKey } from './hub-hierarchy.js';
import { IssuedCertificates, type IssuedDoc } from './models.js';
import { hubCrl, hubOcspAnswer, hubTsaAnswer } from './responders.js';

export { trustAnchors, trustLists } from './trust.js';

/** A hub-held key, ready to sign CMS, with who it belongs to. */
export type HubSigningKey = CmsSigner & {
  certificateId: string;
  kind: 'seal' | 'personal';
  orgId: string;
  userId?: string;
  subjectName: string;
};

const NOT_FOUND = 'Không tìm thấy chứng thư số.';

function checkHolder(principal: Principal, doc: IssuedDoc): void {
  if (doc.kind === 'personal') {
    if (String(doc.userId) !== principal.id || !hasRole(principal, 'signer')) {
      throw new AppError(
        'FORBIDDEN',
        'Chỉ chính người được cấp (vai trò người ký) mới dùng được chứng thư số cá nhân này.',
      );
    }

    return;
  }
  if (!hasRole(principal, 'clerk')) {
    throw new AppError('FORBIDDEN', 'Chỉ văn thư của cơ quan mới dùng được chứng thư số cơ quan.');
  }
}

function checkUsable(doc: IssuedDoc, now = new Date()): void {
  if (doc.status === 'revoked') {
    throw new AppError('INVALID_STATE', 'Chứng thư số đã bị thu hồi, không thể dùng để ký.');
  }
  if (doc.notAfter <= now || doc.notBefore > now) {
    throw new AppError('INVALID_STATE', 'Chứng thư số đã hết hạn hoặc chưa có hiệu lực.');
  }
  if (!doc.keyOnHub || !doc.sealedKey) {
    throw new AppError(
      'INVALID_STATE',
      'Khóa bí mật của chứng thư số này không nằm trên trục (cấp từ CSR): hãy dùng ký số bên ngoài (use external signing).',
    );
  }
}

/**
 * The signer for a certificate whose key the hub holds, after checking the caller may use it:
 * a personal certificate only by its own user with role signer, a seal certificate only by a
 * clerk of its organization. Not found / other organization → NOT_FOUND; revoked, expired or
 * CSR-issued (no key here) → INVALID_STATE.
 */
export async function resolveSigningKey(
  ctx: HubContext,
  principal: Principal,
  certificateId: string,
): Promise<HubSigningKey> {
  const doc = Types.ObjectId.isValid(certificateId)
    ? ((await IssuedCertificates(ctx.db.conn)
        .findById(certificateId)
        .select('+sealedKey')
        .lean()) as IssuedDoc | null)
    : null;
  if (
    !doc ||
    (doc.kind !== 'seal' && doc.kind !== 'personal') ||
    String(doc.orgId) !== principal.orgId
  ) {
    throw new AppError('NOT_FOUND', NOT_FOUND);
  }
  checkHolder(principal, doc);
  checkUsable(doc);
  const pki = await hubPki(ctx);
  const privateKey = openKey(ctx, doc.sealedKey!);
  // a key stored before the key-strength rule (RSA-1024) signs nothing more
  assertStrongKey(privateKey, 'khóa ký trên trục');
  const signer = keySigner(privateKey, [
    toBytes(doc.certificate),
    pki.issuing.certificate,
    pki.root.certificate,
  ]);

  return {
    ...signer,
    certificateId: String(doc._id),
    kind: doc.kind,
    orgId: String(doc.orgId),
    ...(doc.userId ? { userId: String(doc.userId) } : {}),
    subjectName: doc.subject.commonName,
  };
}

/** RFC 3161 time-stamps from the hub's own TSA, in-process (same checks as the HTTP client). */
export function hubTsaTimestamp(ctx: HubContext): TimestampFunction {
  return timestampWith((query) => hubTsaAnswer(ctx, query));
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Revocation data for B-LT, in-process: for a certificate of the hub's issuing CA an OCSP
 * response from the hub responder plus the current CRL; for the issuing CA itself the root's
 * CRL; nothing for certificates of other CAs (the caller fetches those over the network).
 */
export function hubRevocation(ctx: HubContext): RevocationProvider {
  return async (cert, issuer) => {
    const pki = await hubPki(ctx);
    if (same(issuer, pki.issuing.certificate)) {
      const ocsp = await hubOcspAnswer(ctx, ocspRequest(certFromDer(cert), certFromDer(issuer)));

      return { ocsp: [ocsp], crls: [await hubCrl(ctx, 'issuing')] };
    }
    if (same(issuer, pki.root.certificate) && same(cert, pki.issuing.certificate)) {
      return { crls: [await hubCrl(ctx, 'root')] };
    }

    return {};
  };
}

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import { integerFromBigInt, toArrayBuffer, wholeSeconds } from '../asn1/index.js';
import { signatureAlgorithmIdentifier } from './key-signer.js';
import { issuerCertificate, type Issuer } from './certificate.js';
import { authorityKeyIdentifierExtension } from './extensions.js';

/** RFC 5280 §5.3.1 CRLReason codes (7 is unused by the standard). */
export const CRL_REASON = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export function isCrlReason(code: number): boolean {
  return Object.values(CRL_REASON).includes(code as never);
}

export type RevokedEntry = { serialHex: string; revokedAt: Date; reason?: number };

export type CrlRequest = {
  issuer: Required<Issuer>;
  crlNumber: bigint;
  thisUpdate?: Date;
  nextUpdate: Date;
  revoked: readonly RevokedEntry[];
};

function serialInteger(serialHex: string): asn1js.Integer {
  if (!/^[0-9a-f]+$/i.test(serialHex)) {
    throw new PkiError('PKI_BAD_SERIAL', `Serial "${serialHex}" is not hexadecimal.`);
  }

  return integerFromBigInt(BigInt(`0x${serialHex}`));
}

function time(date: Date): pkijs.Time {
  const value = wholeSeconds(date);

  return new pkijs.Time({ type: value.getUTCFullYear() >= 2050 ? 1 : 0, value });
}

function revokedCertificate(entry: RevokedEntry): pkijs.RevokedCertificate {
  const revoked = new pkijs.RevokedCertificate({
    userCertificate: serialInteger(entry.serialHex),
    revocationDate: time(entry.revokedAt),
  });
  // RFC 5280 §5.3.1: omit the reason rather than writing unspecified (0).
  if (entry.reason !== undefined && entry.reason !== 0) {
    if (!isCrlReason(entry.reason)) {
      throw new PkiError(
        'PKI_BAD_REASON',
        `Revocation reason ${entry.reason} is not an RFC 5280 CRLReason.`,
      );
    }
    const reason = new asn1js.Enumerated({ value: entry.reason });
    revoked.crlEntryExtensions = new pkijs.Extensions({
      extensions: [
        new pkijs.Extension({
          extnID: OID.crlReason,
          critical: false,
          extnValue: reason.toBER(false),
        }),
      ],
    });
  }

  return revoked;
}

/** Build and sign a DER X.509 v2 CRL for the issuer. */
export async function buildCrl(request: CrlRequest): Promise<Uint8Array> {
  const issuer = issuerCertificate(request.issuer.certificate);
  const { signer } = request.issuer;
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.signature = signatureAlgorithmIdentifier(signer.algorithm);
  crl.signatureAlgorithm = signatureAlgorithmIdentifier(signer.algorithm);
  crl.issuer = issuer.name;
  crl.thisUpdate = time(request.thisUpdate ?? new Date());
  crl.nextUpdate = time(request.nextUpdate);
  if (request.revoked.length > 0) crl.revokedCertificates = request.revoked.map(revokedCertificate);
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      authorityKeyIdentifierExtension(issuer.cert.keyIdentifier),
      new pkijs.Extension({
        extnID: OID.crlNumber,
        critical: false,
        extnValue: integerFromBigInt(request.crlNumber).toBER(false),
      }),
    ],
  });
  const tbs = (crl.toSchema(true).valueBlock.value[0] as asn1js.Sequence).toBER(false);
  crl.tbsView = new Uint8Array(tbs);
  const signature = await signer.sign(crl.tbsView);
  crl.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });

  return new Uint8Array(crl.toSchema(false).toBER(false));
}

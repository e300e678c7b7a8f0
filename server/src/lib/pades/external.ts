import { createHash } from 'node:crypto';
import { completeCms, normalizeSignature } from '../cms/create-cms.js';
import { signedAttributes } from '../pki/signed-data.js';
import { verifySignatureValue } from '../cms/signer.js';
import type { TimestampFunction } from '../pki/tsa-client.js';
import type { DigestAlgorithm, SignatureScheme } from '../pki/algorithms.js';
import { embedContents, hashPrepared, type ByteRange } from '../pdf/byte-range.js';
import { withPdf } from '../pdf/lazy-pdf-file.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import { joinPrepared, preparePlaceholder } from '../pdf/signature-field.js';
import type { AppearanceFactory } from './options.js';
import { PadesError } from './pades-error.js';
import { estimateCmsSize } from './size-estimate.js';
import { timestampFor } from './sign-pdf.js';

export type PrepareExternalOptions = {
  /** DER, signer first. */
  certificateChain: Uint8Array[];
  algorithm: SignatureScheme;
  digestAlgorithm?: DigestAlgorithm;
  /** B-T reserves room for the signature time-stamp added at completion. */
  level?: 'B-B' | 'B-T';
  reason?: string;
  location?: string;
  name?: string;
  signingTime?: Date;
  fieldName?: string;
  certify?: boolean;
  appearance?: AppearanceFactory;
};

/** Everything needed to finish later, in JSON-safe form (can be stored between two HTTP requests). */
export type ExternalSession = {
  version: 1;
  preparedPdf: string;
  preparedSha256: string;
  signedAttributes: string;
  contentsStart: number;
  contentsEnd: number;
  byteRange: ByteRange;
  certificateChain: string[];
  algorithm: SignatureScheme;
  digestAlgorithm: DigestAlgorithm;
  level: 'B-B' | 'B-T';
  signingTime: string;
};

export type PreparedExternal = {
  /** Hash of the signed attributes: what a token signs with a "sign hash" API. */
  digest: Uint8Array;
  digestAlgorithm: DigestAlgorithm;
  /** The DER signed attributes themselves, for signers that hash on their own (WebCrypto). */
  dataToSign: Uint8Array;
  session: ExternalSession;
};

/** Extra room because an external signature cannot be redone with a bigger placeholder. */
const EXTERNAL_SLACK = 1024;

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

export async function prepareExternal(
  pdf: Uint8Array,
  o: PrepareExternalOptions,
): Promise<PreparedExternal> {
  const signer = o.certificateChain[0];
  if (!signer)
    throw new PadesError(
      'PADES_BAD_OPTIONS',
      'certificateChain must hold at least the signer certificate.',
    );
  const digestAlgorithm = o.digestAlgorithm ?? 'sha256';
  const level = o.level ?? 'B-B';
  const signingTime = o.signingTime ?? new Date();
  const contentsSize = estimateCmsSize(o.certificateChain, level === 'B-T') + EXTERNAL_SLACK;
  const prepare = async (file: PdfFile) => {
    const appearance = o.appearance
      ? await o.appearance(file, signingTime, { signerCertificate: o.certificateChain[0] })
      : undefined;
    return preparePlaceholder(file, {
      kind: 'signature',
      contentsSize,
      signingTime,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.location ? { location: o.location } : {}),
      ...(o.name ? { name: o.name } : {}),
      ...(o.fieldName ? { fieldName: o.fieldName } : {}),
      ...(o.certify ? { certify: true } : {}),
      ...(appearance ? { appearance } : {}),
    });
  };
  const prepared = await withPdf(pdf, prepare);
  const documentDigest = hashPrepared(prepared, digestAlgorithm);
  const dataToSign = signedAttributes(documentDigest, signer, digestAlgorithm);
  const bytes = joinPrepared(prepared);
  const session: ExternalSession = {
    version: 1,
    preparedPdf: b64(bytes),
    preparedSha256: createHash('sha256').update(bytes).digest('hex'),
    signedAttributes: b64(dataToSign),
    contentsStart: prepared.placeholder.contentsStart,
    contentsEnd: prepared.placeholder.contentsEnd,
    byteRange: prepared.byteRange,
    certificateChain: o.certificateChain.map(b64),
    algorithm: o.algorithm,
    digestAlgorithm,
    level,
    signingTime: signingTime.toISOString(),
  };
  const digest = createHash(digestAlgorithm).update(dataToSign).digest();
  return { digest: new Uint8Array(digest), digestAlgorithm, dataToSign, session };
}

function openSession(session: ExternalSession): Uint8Array {
  if (session?.version !== 1 || typeof session.preparedPdf !== 'string') {
    throw new PadesError(
      'PADES_BAD_SESSION',
      'The external-signing session is missing or of an unknown version.',
    );
  }
  const bytes = unb64(session.preparedPdf);
  if (createHash('sha256').update(bytes).digest('hex') !== session.preparedSha256) {
    throw new PadesError(
      'PADES_BAD_SESSION',
      'The external-signing session was altered (prepared PDF hash mismatch).',
    );
  }
  return bytes;
}

/**
 * Embeds an externally made signature value (RSA, or ECDSA as DER or raw r||s) into the PDF
 * prepared by `prepareExternal`, after checking it against the signer certificate.
 */
export async function completeExternal(
  session: ExternalSession,
  signatureValue: Uint8Array,
  o: { tsaUrl?: string; timestamp?: TimestampFunction } = {},
): Promise<Uint8Array> {
  const bytes = openSession(session);
  const chain = session.certificateChain.map(unb64);
  const signedAttrs = unb64(session.signedAttributes);
  const signature = normalizeSignature(session.algorithm, signatureValue);
  if (
    !verifySignatureValue(
      chain[0]!,
      session.algorithm,
      signedAttrs,
      signature,
      session.digestAlgorithm,
    )
  ) {
    throw new PadesError(
      'PADES_SIGNATURE_INVALID',
      'The signature value does not verify with the signer certificate for this session.',
    );
  }
  const timestamp = session.level === 'B-T' ? timestampFor(o) : undefined;
  if (session.level === 'B-T' && !timestamp) {
    throw new PadesError(
      'PADES_NO_TSA',
      'This session was prepared for B-T: give tsaUrl or timestamp to complete it.',
    );
  }
  const cms = await completeCms({
    signedAttrs,
    signature,
    certificateChain: chain,
    algorithm: session.algorithm,
    digest: session.digestAlgorithm,
    ...(timestamp ? { timestamp } : {}),
  });
  embedContents(bytes, session, cms);
  return bytes;
}

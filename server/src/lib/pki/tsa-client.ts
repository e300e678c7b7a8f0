import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { randomBytes } from 'node:crypto';
import { PkiError, badDer } from './errors.js';
import { OID } from './oids.js';
import { bigintOf, decodeDer, integerFromBigInt, toArrayBuffer, toDer } from '../asn1/index.js';
import { hashAlgorithmIdentifier } from './key-signer.js';
import { DIGEST_LENGTH, type DigestAlgorithm } from './algorithms.js';

/*
 * The one RFC 3161 client: it builds the query, checks the reply (status, nonce, imprint) and
 * reads the token, whether the TSA is reached over HTTP or is the hub's own, in-process.
 */

/** Build an RFC 3161 TimeStampReq for an already computed digest. */
export function buildTimestampQuery(
  digest: Uint8Array,
  hashAlg: DigestAlgorithm,
  options: { nonce?: bigint | boolean; certReq?: boolean } = {},
): { query: Uint8Array; nonce?: bigint } {
  if (digest.byteLength !== DIGEST_LENGTH[hashAlg]) {
    throw new PkiError(
      'PKI_BAD_DIGEST',
      `A ${hashAlg} digest is ${DIGEST_LENGTH[hashAlg]} bytes, got ${digest.byteLength}.`,
    );
  }
  const nonce =
    typeof options.nonce === 'bigint'
      ? options.nonce
      : options.nonce === false
        ? undefined
        : BigInt(`0x${randomBytes(8).toString('hex')}`);
  const fields: asn1js.AsnType[] = [
    new asn1js.Integer({ value: 1 }),
    new asn1js.Sequence({
      value: [
        hashAlgorithmIdentifier(hashAlg).toSchema(),
        new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
      ],
    }),
  ];
  if (nonce !== undefined) fields.push(integerFromBigInt(nonce));
  if (options.certReq ?? true) fields.push(new asn1js.Boolean({ value: true }));

  return { query: toDer(new asn1js.Sequence({ value: fields })), nonce };
}

export type TimestampInfo = {
  genTime: Date;
  serial: bigint;
  nonce?: bigint;
  policy: string;
  hashedMessage: Uint8Array;
};

/** Decode the TSTInfo inside a token (ContentInfo DER). Does not verify the signature. */
export function readTimestampToken(token: Uint8Array): TimestampInfo {
  try {
    const info = new pkijs.ContentInfo({ schema: decodeDer(token, 'time-stamp token', badDer) });
    const signed = new pkijs.SignedData({ schema: info.content });
    if (signed.encapContentInfo.eContentType !== OID.tstInfo || !signed.encapContentInfo.eContent) {
      throw new Error('not a TSTInfo');
    }
    const tst = new pkijs.TSTInfo({
      schema: decodeDer(
        new Uint8Array(signed.encapContentInfo.eContent.getValue()),
        'TSTInfo',
        badDer,
      ),
    });

    return {
      genTime: tst.genTime,
      serial: bigintOf(tst.serialNumber),
      nonce: tst.nonce ? bigintOf(tst.nonce) : undefined,
      policy: tst.policy,
      hashedMessage: tst.messageImprint.hashedMessage.valueBlock.valueHexView,
    };
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError(
      'PKI_TSA_BAD_TOKEN',
      'The time-stamp token is not a CMS SignedData with TSTInfo.',
      { cause: error },
    );
  }
}

/**
 * Extract the token (ContentInfo DER) from a TimeStampResp. Throws PKI_TSA_REJECTED when the
 * TSA refused, PKI_TSA_MISMATCH when nonce or digest differ from what was asked.
 */
export function parseTimestampReply(
  reply: Uint8Array,
  expected: { nonce?: bigint; digest?: Uint8Array } = {},
): Uint8Array {
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema: decodeDer(reply, 'TimeStampResp', badDer) });
  } catch (error) {
    throw new PkiError('PKI_TSA_BAD_REPLY', 'The TSA answer is not a DER TimeStampResp.', {
      cause: error,
    });
  }
  const status = resp.status.status;
  if ((status !== 0 && status !== 1) || !resp.timeStampToken) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? '';
    throw new PkiError(
      'PKI_TSA_REJECTED',
      `The TSA rejected the request (status ${status}${text ? `: ${text}` : ''}).`,
    );
  }
  const token = new Uint8Array(resp.timeStampToken.toSchema().toBER(false));
  const info = readTimestampToken(token);
  if (expected.nonce !== undefined && info.nonce !== expected.nonce) {
    throw new PkiError(
      'PKI_TSA_MISMATCH',
      'The TSA answer carries another nonce than the request; discard it.',
    );
  }
  if (expected.digest && !Buffer.from(info.hashedMessage).equals(Buffer.from(expected.digest))) {
    throw new PkiError(
      'PKI_TSA_MISMATCH',
      'The TSA time-stamped another digest than the one sent; discard it.',
    );
  }

  return token;
}

/** Returns the DER TimeStampToken (a CMS ContentInfo) for a message imprint. */
export type TimestampFunction = (
  digest: Uint8Array,
  digestAlgorithm?: DigestAlgorithm,
) => Promise<Uint8Array>;

/** A time-stamp function over any transport that carries a TimeStampReq to a TSA and back. */
export function timestampWith(send: (query: Uint8Array) => Promise<Uint8Array>): TimestampFunction {
  return async (digest, alg = 'sha256') => {
    const { query, nonce } = buildTimestampQuery(digest, alg);
    return parseTimestampReply(await send(query), { nonce, digest });
  };
}

export const TSA_TIMEOUT_MS = 10_000;

/** RFC 3161 over HTTP POST; fails closed (TSA_UNAVAILABLE) on timeout, network or HTTP errors. */
export function httpTimestamp(url: string, timeoutMs = TSA_TIMEOUT_MS): TimestampFunction {
  return timestampWith(async (query) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: query,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new PkiError(
        'TSA_UNAVAILABLE',
        `The time-stamp authority at ${url} did not answer: ${(cause as Error).message}`,
        { cause },
      );
    }
    if (!response.ok) {
      throw new PkiError(
        'TSA_UNAVAILABLE',
        `The time-stamp authority at ${url} answered HTTP ${response.status}.`,
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  });
}

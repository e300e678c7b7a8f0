import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CmsError } from './cms-error.js';
import { parseDer, rawBytes } from './der.js';
import { DIGEST_OID, OID, type DigestAlgorithm } from './oids.js';

/** Returns the DER TimeStampToken (a CMS ContentInfo) for a message imprint. */
export type TimestampFunction = (
  digest: Uint8Array,
  digestAlgorithm?: DigestAlgorithm,
) => Promise<Uint8Array>;

export const TSA_TIMEOUT_MS = 10_000;

function hex(view: Uint8Array | ArrayBuffer): string {
  return Buffer.from(view instanceof ArrayBuffer ? new Uint8Array(view) : view)
    .toString('hex')
    .replace(/^(00)+/, '');
}

export function timestampRequest(
  digest: Uint8Array,
  nonce: Uint8Array,
  alg: DigestAlgorithm = 'sha256',
): Uint8Array {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[alg] }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return new Uint8Array(req.toSchema().toBER(false));
}

/** Parses the TSTInfo inside a token (no signature check: the TSA's own validators do that). */
export function readTstInfo(token: Uint8Array): pkijs.TSTInfo {
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: parseDer(token, 'time-stamp token') });
    const signed = new pkijs.SignedData({ schema: contentInfo.content });
    const eContent = signed.encapContentInfo.eContent;
    if (signed.encapContentInfo.eContentType !== OID.tstInfo || !eContent)
      throw new Error('not a TSTInfo');
    return pkijs.TSTInfo.fromBER(eContent.getValue());
  } catch (cause) {
    throw new CmsError('TSA_REJECTED', 'The time-stamp token is malformed.', { cause });
  }
}

/** Checks status, imprint and nonce of a TimeStampResp and returns the token's exact DER. */
export function tokenFromResponse(
  der: Uint8Array,
  digest: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  const resp = parseDer(der, 'time-stamp response');
  const items = resp instanceof asn1js.Sequence ? resp.valueBlock.value : [];
  const status = items[0] instanceof asn1js.Sequence ? items[0].valueBlock.value[0] : undefined;
  const code = status instanceof asn1js.Integer ? status.valueBlock.valueDec : -1;
  if (code !== 0 && code !== 1)
    throw new CmsError('TSA_REJECTED', `The TSA refused the request (PKIStatus ${code}).`);
  const tokenBlock = items[1];
  if (!tokenBlock)
    throw new CmsError('TSA_REJECTED', 'The TSA granted the request but sent no token.');
  const token = rawBytes(tokenBlock);
  const info = readTstInfo(token);
  if (hex(info.messageImprint.hashedMessage.valueBlock.valueHexView) !== hex(digest)) {
    throw new CmsError(
      'TSA_REJECTED',
      'The TSA time-stamped a different digest than the one sent.',
    );
  }
  if (!info.nonce || hex(info.nonce.valueBlock.valueHexView) !== hex(nonce)) {
    throw new CmsError(
      'TSA_REJECTED',
      'The TSA answer does not carry the nonce of the request (replayed answer?).',
    );
  }
  return token;
}

/** RFC 3161 over HTTP POST; fails closed (TSA_UNAVAILABLE) on timeout, network or HTTP errors. */
export function httpTimestamp(url: string, timeoutMs = TSA_TIMEOUT_MS): TimestampFunction {
  return async (digest, alg = 'sha256') => {
    const nonce = randomBytes(8);
    nonce[0] = (nonce[0]! & 0x7f) | 0x01;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: timestampRequest(digest, nonce, alg),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new CmsError(
        'TSA_UNAVAILABLE',
        `The time-stamp authority at ${url} did not answer: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    if (!response.ok) {
      throw new CmsError(
        'TSA_UNAVAILABLE',
        `The time-stamp authority at ${url} answered HTTP ${response.status}.`,
      );
    }
    return tokenFromResponse(new Uint8Array(await response.arrayBuffer()), digest, nonce);
  };
}

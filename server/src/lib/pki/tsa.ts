import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { badDer } from './errors.js';
import { OID } from './oids.js';
import { decodeDer, toDer, integerFromBigInt, tlv, wholeSeconds } from '../asn1/index.js';
import type { KeySigner } from './key-signer.js';
import { DIGEST_LENGTH, digestFromOid } from './algorithms.js';
import { certFromDer } from './x509.js';
import { assembleSignedData, digestOf, signedAttributes } from './signed-data.js';

export type TsaContext = {
  certificate: Uint8Array;
  signer: KeySigner;
  /** Issuing CA (and more) to embed after the TSA certificate when certReq is set. */
  chain: readonly Uint8Array[];
  policy: string;
  /** Strictly increasing serial numbers; the caller owns persistence and concurrency. */
  nextSerial(): Promise<bigint>;
  clock?: () => Date;
  accuracySeconds?: number;
};

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const TSA_FAILURE = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  systemFailure: 25,
} as const;

class Rejection {
  constructor(
    readonly failure: number,
    readonly text: string,
  ) {}
}

function failInfo(bit: number): asn1js.BitString {
  const bytes = new Uint8Array((bit >> 3) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);

  return new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: 7 - (bit & 7) });
}

function rejection(reason: Rejection): Uint8Array {
  const statusInfo = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 2 }),
      new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: reason.text })] }),
      failInfo(reason.failure),
    ],
  });

  return toDer(new asn1js.Sequence({ value: [statusInfo] }));
}

function parseQuery(queryDer: Uint8Array, policy: string): pkijs.TimeStampReq {
  let req: pkijs.TimeStampReq;
  try {
    req = new pkijs.TimeStampReq({ schema: decodeDer(queryDer, 'TimeStampReq', badDer) });
  } catch {
    throw new Rejection(TSA_FAILURE.badDataFormat, 'not a DER TimeStampReq');
  }
  if (req.version !== 1) throw new Rejection(TSA_FAILURE.badRequest, 'version must be 1');
  const hash = digestFromOid(req.messageImprint.hashAlgorithm.algorithmId);
  if (!hash)
    throw new Rejection(TSA_FAILURE.badAlg, 'message imprint must use SHA-256, SHA-384 or SHA-512');
  if (req.messageImprint.hashedMessage.valueBlock.valueHexView.byteLength !== DIGEST_LENGTH[hash]) {
    throw new Rejection(TSA_FAILURE.badDataFormat, `hashed message length does not match ${hash}`);
  }
  if (req.reqPolicy && req.reqPolicy !== policy) {
    throw new Rejection(TSA_FAILURE.unacceptedPolicy, `only policy ${policy} is served`);
  }
  if (req.extensions?.length)
    throw new Rejection(TSA_FAILURE.unacceptedExtension, 'extensions are not supported');

  return req;
}

async function tstInfo(req: pkijs.TimeStampReq, ctx: TsaContext): Promise<Uint8Array> {
  const serial = await ctx.nextSerial();
  const genTime = wholeSeconds(ctx.clock?.() ?? new Date());
  const tsaName = certFromDer(ctx.certificate).subjectName.raw;
  const fields: asn1js.AsnType[] = [
    new asn1js.Integer({ value: 1 }),
    new asn1js.ObjectIdentifier({ value: ctx.policy }),
    req.messageImprint.toSchema(),
    integerFromBigInt(serial),
    new asn1js.GeneralizedTime({ valueDate: genTime }),
    new asn1js.Sequence({ value: [new asn1js.Integer({ value: ctx.accuracySeconds ?? 1 })] }),
  ];
  if (req.nonce) fields.push(req.nonce);
  // tsa [0] GeneralName (explicit: GeneralName is a CHOICE) → directoryName [4] Name.
  const directoryName = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 4 },
    value: [decodeDer(tsaName, 'TSA name', badDer)],
  });
  fields.push(
    new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [directoryName] }),
  );

  return toDer(new asn1js.Sequence({ value: fields }));
}

async function granted(req: pkijs.TimeStampReq, ctx: TsaContext): Promise<Uint8Array> {
  const content = await tstInfo(req, ctx);
  const { algorithm } = ctx.signer;
  const signedAttrs = signedAttributes(
    digestOf(content, algorithm.hash),
    ctx.certificate,
    algorithm.hash,
    OID.tstInfo,
  );
  const token = assembleSignedData({
    signedAttrs,
    signature: await ctx.signer.sign(signedAttrs),
    certificateChain: req.certReq ? [ctx.certificate, ...ctx.chain] : [],
    signerCertificate: ctx.certificate,
    algorithm,
    content: { type: OID.tstInfo, value: content },
  });
  const statusInfo = toDer(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 })] }));

  return tlv(0x30, statusInfo, token);
}

/**
 * RFC 3161 TSA as a pure function: TimeStampReq bytes in, TimeStampResp bytes out. Never
 * throws: a bad query gets status rejection with a PKIFailureInfo, an internal fault
 * systemFailure.
 */
export async function answerTimestamp(queryDer: Uint8Array, ctx: TsaContext): Promise<Uint8Array> {
  try {
    return await granted(parseQuery(queryDer, ctx.policy), ctx);
  } catch (error) {
    if (error instanceof Rejection) return rejection(error);

    return rejection(new Rejection(TSA_FAILURE.systemFailure, 'the time-stamping service failed'));
  }
}

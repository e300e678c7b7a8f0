import * as asn1js from 'asn1js';
import { randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';

/** Copy bytes into a fresh ArrayBuffer (asn1js/pkijs want ArrayBuffer, Node gives views). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);

  return out;
}

/** Parse DER/BER bytes into an asn1js tree or throw a PkiError naming `what`. */
export function decodeDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(bytes));
  if (parsed.offset === -1) {
    throw new PkiError('PKI_BAD_DER', `${what} is not valid DER: ${parsed.result.error}`);
  }

  return parsed.result;
}

export function encodeDer(node: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(node.toBER(false));
}

/** Serial number of 64 random bits plus 8 more, forced positive and non-zero-leading. */
export function randomSerial(): Uint8Array {
  const bytes = randomBytes(10);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;

  return new Uint8Array(bytes);
}

export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('hex');
}

/** Integer value bytes as lower-case hex without sign-padding zeros (serial numbers). */
export function integerHex(value: asn1js.Integer): string {
  const hex = toHex(value.valueBlock.valueHexView);
  const stripped = hex.replace(/^(00)+/, '');

  return stripped === '' ? '00' : stripped;
}

export function integerFromBigInt(value: bigint): asn1js.Integer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;

  return new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(hex, 'hex')) });
}

/** Whole-second copy of a date: DER times must not carry trailing fractional zeros. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Encode a DER SET OF with its elements sorted as X.690 §11.6 demands. */
export function derSetOf(items: asn1js.AsnType[]): asn1js.Set {
  const encoded = items.map((item) => Buffer.from(item.toBER(false)));
  encoded.sort(Buffer.compare);

  return new asn1js.Set({
    value: encoded.map((bytes) => asn1js.fromBER(toArrayBuffer(bytes)).result),
  });
}

/**
 * One DER TLV around already-encoded contents. Used to splice certificates and tokens into
 * larger structures without re-parsing them (asn1js parsing is the hot path of TSA/OCSP).
 */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((sum, c) => sum + c.byteLength, 0);
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }

  return new Uint8Array(Buffer.concat([Buffer.from(header), ...contents]));
}

import * as asn1js from 'asn1js';

/*
 * The bridge to asn1js/pkijs, which the PKI's certificate, CRL and OCSP structures are built
 * with. Parsing errors are raised through `fail` so that each library keeps its error codes.
 */

/** Copy bytes into a fresh ArrayBuffer (asn1js/pkijs want ArrayBuffer, Node gives views). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Parse DER/BER bytes into an asn1js tree, or throw `fail(message)` naming `what`. */
export function decodeDer(
  bytes: Uint8Array,
  what: string,
  fail: (message: string) => Error,
): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(bytes));
  if (parsed.offset === -1) throw fail(`${what} is not valid DER: ${parsed.result.error}`);
  return parsed.result;
}

/** The exact original bytes of a parsed element. */
export function rawBytes(block: asn1js.AsnType): Uint8Array {
  return new Uint8Array(block.valueBeforeDecodeView);
}

/** Integer value bytes as lower-case hex without sign-padding zeros (serial numbers). */
export function integerHex(value: asn1js.Integer): string {
  const stripped = Buffer.from(value.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^(00)+/, '');
  return stripped === '' ? '00' : stripped;
}

export function integerFromBigInt(value: bigint): asn1js.Integer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.from(hex, 'hex')) });
}

export function bigintOf(value: asn1js.Integer): bigint {
  return BigInt(`0x${Buffer.from(value.valueBlock.valueHexView).toString('hex') || '0'}`);
}

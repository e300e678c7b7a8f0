import * as asn1js from 'asn1js';
import { CmsError } from './cms-error.js';

/*
 * Structures are composed as DER byte arrays: asn1js encodes the primitives (OIDs, integers,
 * octet strings) and parses input, while these helpers nest already-encoded elements byte-exact
 * (asn1js cannot embed pre-encoded DER such as certificates inside a constructed value).
 */

export function toDer(value: asn1js.AsnType): Uint8Array {
  return new Uint8Array(value.toBER(false));
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((n, c) => n + c.length, 0);
  const head = [tag, ...lengthBytes(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let at = head.length;
  for (const c of contents) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
export const set = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...c);
/** [n] EXPLICIT / constructed context tag. */
export const ctx = (n: number, ...c: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...c);
export const oid = (value: string): Uint8Array => toDer(new asn1js.ObjectIdentifier({ value }));
export const int = (value: number): Uint8Array => toDer(new asn1js.Integer({ value }));
export const octets = (value: Uint8Array): Uint8Array =>
  toDer(new asn1js.OctetString({ valueHex: value }));
export const NULL = Uint8Array.of(0x05, 0x00);

export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1)
    throw new CmsError('CMS_BAD_DER', `The ${what} is not valid DER: ${parsed.result.error}`);
  return parsed.result;
}

/** The exact original bytes of a parsed element. */
export function rawBytes(block: asn1js.AsnType): Uint8Array {
  return new Uint8Array(block.valueBeforeDecodeView);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** DER SET OF: elements in ascending order of their encodings (X.690 §11.6). */
export function derSetOf(elements: Uint8Array[]): Uint8Array {
  return set(...[...elements].sort(compareBytes));
}

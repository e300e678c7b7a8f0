import * as asn1js from 'asn1js';

/*
 * Structures are composed as DER byte arrays: asn1js encodes the primitives (OIDs, integers,
 * octet strings) while these helpers nest already-encoded elements byte-exact, so certificates
 * and tokens are spliced into larger structures without being re-parsed (asn1js cannot embed
 * pre-encoded DER inside a constructed value, and parsing is the hot path of TSA/OCSP).
 */

export function toDer(value: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(value.toBER(false));
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

/** One DER TLV around already-encoded contents. */
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

/** Re-tags an encoded constructed element (a SET OF) as [tag] IMPLICIT. */
export function implicit(tag: number, der: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(der);
  copy[0] = 0xa0 | tag;
  return copy;
}

/** DER SET OF: elements in ascending order of their encodings (X.690 §11.6). */
export function derSetOf(elements: Uint8Array[]): Uint8Array {
  return set(...[...elements].sort(Buffer.compare));
}

/** Whole-second copy of a date: DER times must not carry trailing fractional zeros. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

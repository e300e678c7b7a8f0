import { EdxmlError } from './errors.js';

function readInt(der: Uint8Array, at: number): { value: Uint8Array; next: number } {
  if (der[at] !== 0x02)
    throw new EdxmlError('EDXML_BAD_INPUT', 'ECDSA signature: INTEGER expected');
  const len = der[at + 1]!;
  const start = at + 2;

  return { value: der.subarray(start, start + len), next: start + len };
}

function fixed(n: Uint8Array, size: number): Uint8Array {
  let i = 0;
  while (i < n.length - 1 && n[i] === 0) i++;
  const trimmed = n.subarray(i);
  if (trimmed.length > size)
    throw new EdxmlError('EDXML_BAD_INPUT', 'ECDSA signature integer too long for the curve');
  const out = new Uint8Array(size);
  out.set(trimmed, size - trimmed.length);

  return out;
}

/**
 * XML-DSig wants ECDSA values as r‖s (RFC 4050/6931), signers give DER Ecdsa-Sig-Value:
 * convert. P-256 signatures are short, so the one-byte DER lengths below always hold.
 */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array {
  if (der[0] !== 0x30 || der[1]! >= 0x80) {
    throw new EdxmlError('EDXML_BAD_INPUT', 'ECDSA signature is not a short DER SEQUENCE');
  }
  const r = readInt(der, 2);
  const s = readInt(der, r.next);
  const out = new Uint8Array(size * 2);
  out.set(fixed(r.value, size), 0);
  out.set(fixed(s.value, size), size);

  return out;
}

import { readDer } from '../asn1/index.js';
import { EdxmlError } from './errors.js';

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

/** XML-DSig wants ECDSA values as r‖s (RFC 4050/6931), signers give DER Ecdsa-Sig-Value: convert. */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array {
  let r: Uint8Array;
  let s: Uint8Array;
  try {
    const sequence = readDer(der).expect(0x30, 'Ecdsa-Sig-Value');
    r = sequence.at(0).expect(0x02, 'r').value;
    s = sequence.at(1).expect(0x02, 's').value;
  } catch (cause) {
    throw new EdxmlError(
      'EDXML_BAD_INPUT',
      'ECDSA signature is not a DER SEQUENCE of two INTEGERs',
      undefined,
      {
        cause,
      },
    );
  }
  const out = new Uint8Array(size * 2);
  out.set(fixed(r, size), 0);
  out.set(fixed(s, size), size);

  return out;
}

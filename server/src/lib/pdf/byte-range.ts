import { createHash } from 'node:crypto';
import { PdfError } from './pdf-error.js';
import type { Placeholder } from './signature-dict.js';

export type ByteRange = [number, number, number, number];

export function byteRangeOf(p: Placeholder, fileLength: number): ByteRange {
  return [0, p.contentsStart, p.contentsEnd, fileLength - p.contentsEnd];
}

/**
 * Writes the /ByteRange numbers in place, padded with spaces to the placeholder's width.
 * `bytes` holds the file from offset `shift` to its end (the appended update when shift > 0).
 */
export function fillByteRange(bytes: Uint8Array, p: Placeholder, shift = 0): ByteRange {
  const range = byteRangeOf(p, shift + bytes.length);
  const text = range.join(' ');
  if (text.length > p.byteRangeLength) {
    throw new PdfError(
      'PDF_TOO_LARGE',
      'The PDF is too large for a 10-digit /ByteRange (over 9.9 GB).',
    );
  }
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).write(
    text.padEnd(p.byteRangeLength, ' '),
    p.byteRangeAt - shift,
    'latin1',
  );
  return range;
}

/** Streams both signed ranges through the hash without copying them. */
export function hashByteRange(bytes: Uint8Array, range: ByteRange, algorithm = 'sha256'): Buffer {
  const [a, b, c, d] = range;
  return createHash(algorithm)
    .update(bytes.subarray(a, a + b))
    .update(bytes.subarray(c, c + d))
    .digest();
}

/**
 * The digest of a file that is `original` followed by `update`, whose /Contents lies in the
 * update (always so for a signature we append): both pieces are hashed where they are, unjoined.
 */
export function hashPrepared(
  p: { original: Uint8Array; update: Uint8Array; byteRange: ByteRange },
  algorithm = 'sha256',
): Buffer {
  const [, b, c, d] = p.byteRange;
  const shift = p.original.length;
  if (b < shift) throw new RangeError('hashPrepared: /Contents lies before the appended update');
  return createHash(algorithm)
    .update(p.original)
    .update(p.update.subarray(0, b - shift))
    .update(p.update.subarray(c - shift, c - shift + d))
    .digest();
}

/** The two signed ranges joined (for external tools such as `openssl cms -verify -content`). */
export function signedRanges(bytes: Uint8Array, range: ByteRange): Buffer {
  const [a, b, c, d] = range;
  return Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);
}

/**
 * Writes `der` as hex into /Contents; the rest of the reserved space stays '0'. `bytes` holds the
 * file from offset `shift` on, as for fillByteRange.
 */
export function embedContents(
  bytes: Uint8Array,
  p: Pick<Placeholder, 'contentsStart' | 'contentsEnd'>,
  der: Uint8Array,
  shift = 0,
): void {
  const capacity = (p.contentsEnd - p.contentsStart - 2) / 2;
  if (der.length > capacity) {
    throw new PdfError(
      'PDF_CONTENTS_TOO_SMALL',
      `The signature (${der.length} bytes) exceeds the reserved ${capacity} bytes.`,
    );
  }
  const hex = Buffer.from(der).toString('hex').toUpperCase();
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).write(
    hex,
    p.contentsStart + 1 - shift,
    'latin1',
  );
}

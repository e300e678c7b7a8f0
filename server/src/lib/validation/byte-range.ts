/**
 * ByteRange sanity: [0, a, b, c] where a is the offset of the `<` of the /Contents hex string,
 * b is just after its `>`, the hex string is exactly the signature dictionary's /Contents, and
 * b + c is the end of a revision. Anything else lets an attacker sign one thing and show another.
 */
import { decodeHexGap, type ContentsMask } from './contents-mask.js';
import { sameBytes } from '../asn1/index.js';
import type { PdfSignature } from './pdf-signatures.js';
import { revisionEndingAt, type Revision, type RevisionLayout } from './revisions.js';

export interface ByteRangeCheck {
  ok: boolean;
  problem: string | null;
  /** The /Contents bytes taken from the gap in the file. */
  contents: Uint8Array | null;
  revision: Revision | null;
}

const fail = (problem: string): ByteRangeCheck => ({
  ok: false,
  problem,
  contents: null,
  revision: null,
});

function sameContents(
  fromGap: Uint8Array,
  fromDict: Uint8Array | null,
  mask: ContentsMask | undefined,
): boolean {
  if (fromDict === null) return false;
  if (sameBytes(fromGap, fromDict)) return true;
  // The dictionary was read from the masked copy: its /Contents is the gap's marker.
  return mask !== undefined && sameBytes(mask.marker(fromGap), fromDict);
}

export function checkByteRange(
  bytes: Uint8Array,
  sig: PdfSignature,
  layout: RevisionLayout,
  mask?: ContentsMask,
): ByteRangeCheck {
  const br = sig.byteRange;
  if (!br || br.length !== 4 || br.some((n) => !Number.isInteger(n) || n < 0))
    return fail('ByteRange must be four non-negative integers');
  const [a0, a1, b0, b1] = br as [number, number, number, number];
  if (a0 !== 0) return fail('the first range does not start at offset 0');
  if (b0 <= a1) return fail('the ranges overlap or are out of order');
  if (b0 + b1 > bytes.length) return fail('the second range runs past the end of the file');
  const contents = mask?.decoded.get(`${a1}-${b0}`) ?? decodeHexGap(bytes, a1, b0);
  if (!contents)
    return fail(
      'the gap between the ranges is not exactly the /Contents hex string (bytes are skipped)',
    );
  if (!sameContents(contents, sig.contents, mask))
    return fail('the gap does not hold this signature dictionary’s /Contents');
  const revision = revisionEndingAt(layout, b0 + b1);
  if (!revision) return fail('the signed bytes do not end at the end of a revision (%%EOF)');
  return { ok: true, problem: null, contents, revision };
}

/** Hash input: the two ranges, in order. */
export function signedRanges(bytes: Uint8Array, br: number[]): Uint8Array[] {
  const [a0 = 0, a1 = 0, b0 = 0, b1 = 0] = br;
  return [bytes.subarray(a0, a0 + a1), bytes.subarray(b0, b0 + b1)];
}

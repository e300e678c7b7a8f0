/**
 * pdf-lib parses hex strings one character at a time, and signature /Contents are the largest
 * hex strings of a signed PDF (tens of kilobytes each, reserved space included): parsing them
 * was most of the load time. Before the object model is built, every ByteRange gap that is a
 * single hex string is therefore replaced, in a copy of the file, by a short keyed digest of its
 * decoded bytes padded with spaces (offsets, hence xref tables, stay valid).
 *
 * The digest is an HMAC under a key drawn per validation, so a document cannot contain a
 * matching value by design: a signature dictionary whose /Contents reads as the marker of a gap
 * held exactly those bytes. Identical contents give identical markers, so unchanged objects stay
 * unchanged between revisions. Gaps that are not a clean hex string are left alone and take the
 * ordinary (slow, equally checked) path.
 */
import { createHmac, randomBytes } from 'node:crypto';

const BYTE_RANGE_RE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
const MARKER_BYTES = 16;
/** Smaller gaps are not worth masking (and could not hold the marker). */
const MIN_GAP = 2 * MARKER_BYTES + 64;

export interface ContentsMask {
  /** The file with large /Contents replaced; same length and offsets as the input. */
  bytes: Uint8Array;
  /** Marker that stands for these decoded /Contents bytes. */
  marker(contents: Uint8Array): Uint8Array;
  /** Decoded gap bytes by `start-end` offsets (only for masked gaps). */
  decoded: Map<string, Uint8Array>;
}

/** The bytes of a `<…>` gap holding only hex digits and whitespace, or null. */
export function decodeHexGap(bytes: Uint8Array, start: number, end: number): Uint8Array | null {
  if (end - start < 2 || bytes[start] !== 0x3c || bytes[end - 1] !== 0x3e) return null;
  let hex = Buffer.from(bytes.buffer, bytes.byteOffset + start + 1, end - start - 2).toString(
    'latin1',
  );
  if (!/^[0-9A-Fa-f]*$/.test(hex)) {
    // PDF white-space only (not JavaScript's \s, which also accepts e.g. 0xA0)
    if (!/^[0-9A-Fa-f\t\n\f\r \0]*$/.test(hex)) return null;
    hex = hex.replace(/[\t\n\f\r \0]+/g, '');
  }
  if (hex.length % 2 === 1) hex += '0';
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function maskSignatureContents(bytes: Uint8Array, text: string): ContentsMask {
  const key = randomBytes(32);
  const marker = (contents: Uint8Array): Uint8Array =>
    new Uint8Array(createHmac('sha256', key).update(contents).digest().subarray(0, MARKER_BYTES));
  const decoded = new Map<string, Uint8Array>();
  let copy: Uint8Array | null = null;
  const taken: [number, number][] = [];
  for (const m of text.matchAll(BYTE_RANGE_RE)) {
    const start = Number(m[2]);
    const end = Number(m[3]);
    if (!(end - start >= MIN_GAP && end <= bytes.length)) continue;
    if (taken.some(([s, e]) => start < e && s < end)) continue;
    const contents = decodeHexGap(bytes, start, end);
    if (!contents) continue;
    copy ??= Uint8Array.from(bytes);
    const hex = Buffer.from(marker(contents)).toString('hex');
    copy.fill(0x20, start, end);
    copy.set(Buffer.from(`<${hex}>`, 'latin1'), start);
    decoded.set(`${start}-${end}`, contents);
    taken.push([start, end]);
  }
  return { bytes: copy ?? bytes, marker, decoded };
}

import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFObjectParser,
  PDFRawStream,
} from 'pdf-lib';
import { decodeStream, READER_LIMITS, ReaderLimitError, XrefBrokenError } from './stream-decode.js';

/** Where an object lives: free, at a byte offset (type 1), or inside an object stream (type 2). */
export type XrefEntry =
  | { type: 0 }
  | { type: 1; offset: number; gen: number }
  | { type: 2; stream: number; index: number };

export type XrefTable = {
  entries: Map<number, XrefEntry>;
  /** Largest object number any section mentions (free entries included). */
  maxObjectNumber: number;
};

const MAX_SECTIONS = 1000;

const isWhite = (b: number | undefined): boolean =>
  b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;
const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;

/** A minimal tokenizer over the file bytes: integers and keywords of classic xref tables. */
class Cursor {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}
  skipWhite(): void {
    while (this.pos < this.bytes.length) {
      const b = this.bytes[this.pos];
      if (isWhite(b)) this.pos++;
      else if (b === 0x25)
        while (
          this.pos < this.bytes.length &&
          this.bytes[this.pos] !== 0x0a &&
          this.bytes[this.pos] !== 0x0d
        )
          this.pos++;
      else break;
    }
  }
  startsWith(word: string): boolean {
    this.skipWhite();
    for (let i = 0; i < word.length; i++)
      if (this.bytes[this.pos + i] !== word.charCodeAt(i)) return false;
    return true;
  }
  int(): number {
    this.skipWhite();
    const start = this.pos;
    while (isDigit(this.bytes[this.pos])) this.pos++;
    if (start === this.pos || this.pos - start > 12)
      throw new XrefBrokenError(`Expected a number in the cross-reference table at byte ${start}.`);
    let n = 0;
    for (let i = start; i < this.pos; i++) n = n * 10 + this.bytes[i]! - 0x30;
    return n;
  }
  letter(): number {
    this.skipWhite();
    return this.bytes[this.pos++] ?? 0;
  }
}

type Section = { entries: Map<number, XrefEntry>; trailer: PDFDict };

function checkCount(n: number): void {
  if (n > READER_LIMITS.maxObjects)
    throw new ReaderLimitError(
      `A cross-reference section lists ${n} objects; at most ${READER_LIMITS.maxObjects} are accepted.`,
    );
}

function classicSection(bytes: Uint8Array, cur: Cursor, context: PDFContext): Section {
  cur.pos += 'xref'.length;
  const entries = new Map<number, XrefEntry>();
  while (!cur.startsWith('trailer')) {
    const first = cur.int();
    const count = cur.int();
    checkCount(entries.size + count);
    for (let i = 0; i < count; i++) {
      const offset = cur.int();
      const gen = cur.int();
      const kind = cur.letter();
      if (kind === 0x6e) entries.set(first + i, { type: 1, offset, gen });
      else if (kind === 0x66) entries.set(first + i, { type: 0 });
      else throw new XrefBrokenError(`Bad cross-reference entry near byte ${cur.pos}.`);
    }
  }
  const trailer = PDFObjectParser.forBytes(
    bytes.subarray(cur.pos + 'trailer'.length),
    context,
  ).parseObject();
  if (!(trailer instanceof PDFDict)) throw new XrefBrokenError('A trailer is not a dictionary.');
  return { entries, trailer };
}

/** Reads the /Type /XRef stream object at `offset`. */
function streamSection(bytes: Uint8Array, offset: number, context: PDFContext): Section {
  const cur = new Cursor(bytes, offset);
  cur.int();
  cur.int();
  if (!cur.startsWith('obj')) throw new XrefBrokenError(`No xref object at byte ${offset}.`);
  const obj = PDFObjectParser.forBytes(bytes.subarray(cur.pos + 3), context).parseObject();
  if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Type')) !== PDFName.of('XRef'))
    throw new XrefBrokenError(`The object at byte ${offset} is not a /Type /XRef stream.`);
  return { entries: xrefStreamEntries(obj), trailer: obj.dict };
}

function numbers(arr: unknown): number[] {
  if (!(arr instanceof PDFArray)) return [];
  return arr.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : NaN));
}

function xrefStreamEntries(stream: PDFRawStream): Map<number, XrefEntry> {
  const dict = stream.dict;
  const [w0, w1, w2] = numbers(dict.get(PDFName.of('W')));
  const size = dict.get(PDFName.of('Size'));
  const index = dict.has(PDFName.of('Index'))
    ? numbers(dict.get(PDFName.of('Index')))
    : [0, size instanceof PDFNumber ? size.asNumber() : 0];
  const widths = [w0, w1, w2];
  if (widths.some((w) => w === undefined || !Number.isInteger(w) || w < 0 || w > 8))
    throw new XrefBrokenError('An xref stream has a bad /W array.');
  const data = decodeStream(stream);
  const rowLength = w0! + w1! + w2!;
  const entries = new Map<number, XrefEntry>();
  let at = 0;
  const field = (w: number, fallback: number): number => {
    if (w === 0) return fallback;
    let v = 0;
    for (let i = 0; i < w; i++) v = v * 256 + (data[at++] ?? 0);
    return v;
  };
  for (let s = 0; s + 1 < index.length; s += 2) {
    const first = index[s]!;
    const count = index[s + 1]!;
    if (!Number.isInteger(first) || !Number.isInteger(count))
      throw new XrefBrokenError('Bad /Index.');
    checkCount(entries.size + count);
    for (let i = 0; i < count && at + rowLength <= data.length; i++) {
      const type = field(w0!, 1);
      const a = field(w1!, 0);
      const b = field(w2!, 0);
      if (type === 1) entries.set(first + i, { type: 1, offset: a, gen: b });
      else if (type === 2) entries.set(first + i, { type: 2, stream: a, index: b });
      else if (type === 0) entries.set(first + i, { type: 0 });
      // other types are reserved: readers ignore them (ISO 32000-1 §7.5.8.3)
    }
  }
  return entries;
}

function sectionAt(bytes: Uint8Array, offset: number, context: PDFContext): Section {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= bytes.length)
    throw new XrefBrokenError(`A cross-reference offset (${offset}) points outside the file.`);
  const cur = new Cursor(bytes, offset);
  if (cur.startsWith('xref')) {
    const section = classicSection(bytes, cur, context);
    const hidden = section.trailer.get(PDFName.of('XRefStm'));
    if (hidden instanceof PDFNumber) {
      // hybrid file: the stream lists what the table leaves free or out (compressed objects)
      for (const [n, e] of streamSection(bytes, hidden.asNumber(), context).entries) {
        if (section.entries.get(n)?.type !== 1) section.entries.set(n, e);
      }
    }
    return section;
  }
  return streamSection(bytes, offset, context);
}

/**
 * Follows the cross-reference chain from `startxref` through /Prev: the newest section that
 * mentions an object wins (a newer free entry deletes the object).
 */
export function readXrefChain(
  bytes: Uint8Array,
  startxref: number,
  context: PDFContext,
): XrefTable {
  const entries = new Map<number, XrefEntry>();
  const seen = new Set<number>();
  let maxObjectNumber = 0;
  for (let offset: number | undefined = startxref; offset !== undefined;) {
    if (seen.has(offset) || seen.size >= MAX_SECTIONS)
      throw new XrefBrokenError('The /Prev chain of cross-reference sections loops.');
    seen.add(offset);
    const section = sectionAt(bytes, offset, context);
    for (const [n, e] of section.entries) {
      if (!entries.has(n)) entries.set(n, e);
      maxObjectNumber = Math.max(maxObjectNumber, n);
    }
    checkCount(entries.size);
    const prev = section.trailer.get(PDFName.of('Prev'));
    offset = prev instanceof PDFNumber ? prev.asNumber() : undefined;
  }
  return { entries, maxObjectNumber };
}

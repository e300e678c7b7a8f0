import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
  PDFStream,
  type PDFObject,
} from 'pdf-lib';
import {
  decodeStream,
  numberIn,
  READER_LIMITS,
  ReaderLimitError,
  XrefBrokenError,
} from './stream-decode.js';
import type { XrefTable } from './xref-table.js';

/** `n g obj` at `offset`; returns where the object's body starts. */
function bodyAfterHeader(bytes: Uint8Array, offset: number, objectNumber: number): number {
  const head = Buffer.from(
    bytes.buffer,
    bytes.byteOffset + offset,
    Math.min(64, bytes.length - offset),
  ).toString('latin1');
  const m = /^\s*(\d+)\s+(\d+)\s+obj/.exec(head);
  if (!m || Number(m[1]) !== objectNumber)
    throw new XrefBrokenError(
      `The cross-reference offset of object ${objectNumber} does not point at it.`,
    );
  return offset + m[0].length;
}

/** Explicit-stack depth check: the hub's walkers recurse, so a deep object must not get in. */
function checkDepth(root: PDFObject): void {
  const stack: [PDFObject, number][] = [[root, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [obj, depth] = top;
    const node = obj instanceof PDFStream ? obj.dict : obj;
    const kids =
      node instanceof PDFArray ? node.asArray() : node instanceof PDFDict ? node.values() : [];
    if (kids.length && depth + 1 > READER_LIMITS.maxNestingDepth)
      throw new ReaderLimitError(
        `The PDF nests arrays/dictionaries deeper than ${READER_LIMITS.maxNestingDepth} levels.`,
      );
    for (const k of kids) stack.push([k, depth + 1]);
  }
}

function parseOne(bytes: Uint8Array, at: number, context: PDFContext): PDFObject {
  try {
    const obj = PDFObjectParser.forBytes(bytes.subarray(at), context).parseObject();
    checkDepth(obj);
    return obj;
  } catch (e) {
    if (e instanceof ReaderLimitError) throw e;
    if (e instanceof RangeError)
      throw new ReaderLimitError('The PDF nests arrays/dictionaries too deeply to parse.');
    throw new XrefBrokenError(`An object cannot be parsed at byte ${at}: ${(e as Error).message}`);
  }
}

type ObjectStream = { data: Uint8Array; offsets: Map<number, number>; first: number };

/**
 * Reads indirect objects on demand: an object at an offset is parsed from that slice alone; a
 * compressed object opens (and caches) only its own object stream. Nothing else is read, so image
 * streams are never copied or decoded.
 */
export class LazyObjectReader {
  private readonly objectStreams = new Map<number, ObjectStream>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly xref: XrefTable,
    private readonly context: PDFContext,
  ) {}

  read(ref: PDFRef): PDFObject | undefined {
    const entry = this.xref.entries.get(ref.objectNumber);
    if (!entry || entry.type === 0) return undefined;
    if (entry.type === 1) {
      if (entry.gen !== ref.generationNumber) return undefined;
      if (entry.offset >= this.bytes.length)
        throw new XrefBrokenError(
          `Object ${ref.objectNumber} is said to lie beyond the end of the file.`,
        );
      const body = bodyAfterHeader(this.bytes, entry.offset, ref.objectNumber);
      return parseOne(this.bytes, body, this.context);
    }
    if (ref.generationNumber !== 0) return undefined;
    const stream = this.objectStream(entry.stream);
    const at = stream.offsets.get(ref.objectNumber);
    if (at === undefined)
      throw new XrefBrokenError(
        `Object ${ref.objectNumber} is missing from object stream ${entry.stream}.`,
      );
    return parseOne(stream.data, stream.first + at, this.context);
  }

  private objectStream(number: number): ObjectStream {
    const known = this.objectStreams.get(number);
    if (known) return known;
    const entry = this.xref.entries.get(number);
    if (entry?.type !== 1)
      throw new XrefBrokenError(`Object stream ${number} is not stored at a file offset.`);
    const obj = parseOne(
      this.bytes,
      bodyAfterHeader(this.bytes, entry.offset, number),
      this.context,
    );
    if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Type')) !== PDFName.of('ObjStm'))
      throw new XrefBrokenError(`Object ${number} is not an object stream.`);
    const n = numberIn(obj.dict, 'N');
    const first = numberIn(obj.dict, 'First');
    if (n === undefined || first === undefined)
      throw new XrefBrokenError(`Object stream ${number} lacks /N or /First.`);
    if (n > READER_LIMITS.maxObjects)
      throw new ReaderLimitError(`Object stream ${number} declares ${n} objects.`);
    const data = decodeStream(obj);
    const stream = { data, offsets: headerPairs(data, n, first), first };
    this.objectStreams.set(number, stream);
    return stream;
  }
}

/** The "objNum offset" pairs at the head of an object stream. */
function headerPairs(data: Uint8Array, count: number, first: number): Map<number, number> {
  const text = Buffer.from(data.buffer, data.byteOffset, Math.min(first, data.length)).toString(
    'latin1',
  );
  const nums = text.split(/\s+/).filter(Boolean).map(Number);
  const offsets = new Map<number, number>();
  for (let i = 0; i < count && 2 * i + 1 < nums.length; i++) {
    const num = nums[2 * i]!;
    const off = nums[2 * i + 1]!;
    if (!Number.isSafeInteger(num) || !Number.isSafeInteger(off))
      throw new XrefBrokenError('An object stream header is not a list of numbers.');
    offsets.set(num, off);
  }
  return offsets;
}

/**
 * pdf-lib's object map, filled on first lookup: every `context.lookup(ref)` of the hub's code
 * (and of pdf-lib's clone/obj helpers) reads just that object.
 */
export class LazyObjectMap extends Map<PDFRef, PDFObject> {
  private reader: LazyObjectReader | undefined;
  private readonly missing = new Set<PDFRef>();

  attach(reader: LazyObjectReader): void {
    this.reader = reader;
  }

  override get(ref: PDFRef): PDFObject | undefined {
    const known = super.get(ref);
    if (known !== undefined || !this.reader || this.missing.has(ref)) return known;
    const obj = this.reader.read(ref);
    if (obj === undefined) this.missing.add(ref);
    else super.set(ref, obj);
    return obj;
  }

  override has(ref: PDFRef): boolean {
    return this.get(ref) !== undefined;
  }
}

/** A pdf-lib context whose indirect objects are read from `bytes` only when looked up. */
export function lazyContext(bytes: Uint8Array, xref: XrefTable): PDFContext {
  const context = PDFContext.create();
  const objects = new LazyObjectMap();
  // pdf-lib keeps the map in a readonly field; replacing it is what makes every lookup lazy
  (context as unknown as { indirectObjects: Map<PDFRef, PDFObject> }).indirectObjects = objects;
  objects.attach(new LazyObjectReader(bytes, xref, context));
  context.largestObjectNumber = xref.maxObjectNumber;
  return context;
}

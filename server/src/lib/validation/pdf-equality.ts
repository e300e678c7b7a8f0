/**
 * Semantic equality of PDF values across two revisions: dictionaries compare by key set (not key
 * order), strings by their bytes (literal or hex), numbers by value, and a reference equals the
 * direct value it points to. Two references to the same object number are equal here; a change
 * of the object they point to is judged on its own.
 */
import {
  PDFArray,
  PDFBool,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNull,
  PDFNumber,
  PDFObject,
  PDFRawStream,
  PDFRef,
  PDFStream,
} from 'pdf-lib';
import { sameBytes } from '../asn1/index.js';
import { resolve, stringOf } from './pdf-objects.js';

/** Deeper structures are compared as "different" rather than walked without bound. */
const MAX_DEPTH = 32;
/**
 * Values visited per comparison: references that differ on both sides are followed, so a crafted
 * file could make the walk exponential; past this budget the values count as different.
 */
const MAX_STEPS = 20_000;

interface Side {
  doc: PDFDocument;
  obj: PDFObject | undefined;
}

interface Budget {
  steps: number;
}

function streamData(s: PDFStream): Uint8Array {
  return s instanceof PDFRawStream ? s.contents : s.getContents();
}

function dictEqual(
  a: Side & { obj: PDFDict },
  b: Side & { obj: PDFDict },
  depth: number,
  budget: Budget,
  stream = false,
): boolean {
  const ka = a.obj.keys();
  if (ka.length !== b.obj.keys().length) return false;
  return ka.every(
    (k) =>
      b.obj.has(k) &&
      valuesEqual(
        { doc: a.doc, obj: a.obj.get(k) },
        { doc: b.doc, obj: b.obj.get(k) },
        depth + 1,
        stream && k.asString() === '/Length',
        budget,
      ),
  );
}

/**
 * True when both sides denote the same PDF value. `lengthKey` ignores /Length of streams (it
 * follows from the data, which is compared itself).
 */
export function valuesEqual(
  a: Side,
  b: Side,
  depth = 0,
  lengthKey = false,
  budget: Budget = { steps: 0 },
): boolean {
  if (lengthKey) return true;
  if (depth > MAX_DEPTH || ++budget.steps > MAX_STEPS) return false;
  if (
    a.obj instanceof PDFRef &&
    b.obj instanceof PDFRef &&
    a.obj.objectNumber === b.obj.objectNumber &&
    a.obj.generationNumber === b.obj.generationNumber &&
    depth > 0
  )
    return true;
  const x = resolve(a.doc, a.obj);
  const y = resolve(b.doc, b.obj);
  if (x === undefined || y === undefined) return x === y;
  if (x === PDFNull || y === PDFNull) return x === y;
  const sx = stringOf(x)?.asBytes();
  const sy = stringOf(y)?.asBytes();
  if (sx || sy) return !!sx && !!sy && sameBytes(sx, sy);
  if (x instanceof PDFNumber) return y instanceof PDFNumber && x.asNumber() === y.asNumber();
  if (x instanceof PDFName) return y instanceof PDFName && x.asString() === y.asString();
  if (x instanceof PDFBool) return y instanceof PDFBool && x.asBoolean() === y.asBoolean();
  if (x instanceof PDFArray) {
    if (!(y instanceof PDFArray) || x.size() !== y.size()) return false;
    for (let i = 0; i < x.size(); i++)
      if (
        !valuesEqual(
          { doc: a.doc, obj: x.get(i) },
          { doc: b.doc, obj: y.get(i) },
          depth + 1,
          false,
          budget,
        )
      )
        return false;
    return true;
  }
  if (x instanceof PDFStream) {
    return (
      y instanceof PDFStream &&
      sameBytes(streamData(x), streamData(y)) &&
      dictEqual({ doc: a.doc, obj: x.dict }, { doc: b.doc, obj: y.dict }, depth, budget, true)
    );
  }
  if (x instanceof PDFDict)
    return (
      y instanceof PDFDict &&
      dictEqual({ doc: a.doc, obj: x }, { doc: b.doc, obj: y }, depth, budget)
    );
  return x.toString() === y.toString();
}

/** Keys of two dictionaries (or stream dictionaries) whose values differ semantically. */
export function changedDictKeys(
  before: PDFDocument,
  a: PDFObject | undefined,
  after: PDFDocument,
  b: PDFObject | undefined,
): string[] | null {
  const da = a instanceof PDFDict ? a : a instanceof PDFStream ? a.dict : undefined;
  const db = b instanceof PDFDict ? b : b instanceof PDFStream ? b.dict : undefined;
  if (!da || !db) return null;
  const keys = new Map<string, PDFName>();
  for (const k of [...da.keys(), ...db.keys()]) keys.set(k.asString(), k);
  return [...keys]
    .filter(
      ([, k]) => !valuesEqual({ doc: before, obj: da.get(k) }, { doc: after, obj: db.get(k) }, 1),
    )
    .map(([s]) => s);
}

/**
 * Finds the signature and document time-stamp dictionaries of the final revision through the
 * AcroForm field tree (/FT /Sig with a /V), plus the document security store (/DSS).
 */
import { PDFDict, PDFDocument, PDFName, PDFObject, PDFRef } from 'pdf-lib';
import {
  arrayOf,
  bytesOf,
  dictOf,
  get,
  nameOf,
  numbersOf,
  streamsOfArray,
  textOf,
} from './pdf-objects.js';

export interface PdfSignature {
  fieldName: string;
  type: 'SIGNATURE' | 'DOC_TIMESTAMP';
  sigRef: PDFRef | null;
  subFilter: string | null;
  byteRange: number[] | null;
  contents: Uint8Array | null;
  claimedTime: Date | null;
  reason: string | null;
  name: string | null;
  /** DocMDP permission (1–3) when this is a certification signature. */
  docMdpP: number | null;
}

export interface Dss {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

function parseDate(s: string | undefined): Date | null {
  const m =
    s && /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?'?/.exec(s);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', sec = '00', tz, th = '00', tm = '00'] = m;
  const sign = tz === '-' ? '-' : '+';
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}${tz && tz !== 'Z' ? `${sign}${th}:${tm}` : 'Z'}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function docMdpOf(doc: PDFDocument, sig: PDFDict): number | null {
  const refs = arrayOf(doc, sig.get(PDFName.of('Reference')));
  for (let i = 0; refs && i < refs.size(); i++) {
    const r = dictOf(doc, refs.get(i));
    if (nameOf(doc, r, 'TransformMethod') !== 'DocMDP') continue;
    const p = get(doc, dictOf(doc, r?.get(PDFName.of('TransformParams'))), 'P');
    return p ? Number(p.toString()) || 2 : 2;
  }
  return null;
}

function toSignature(
  doc: PDFDocument,
  fieldName: string,
  v: PDFObject | undefined,
): PdfSignature | null {
  const sig = dictOf(doc, v);
  if (!sig) return null;
  const type =
    nameOf(doc, sig, 'Type') === 'DocTimeStamp' || nameOf(doc, sig, 'SubFilter') === 'ETSI.RFC3161'
      ? 'DOC_TIMESTAMP'
      : 'SIGNATURE';
  return {
    fieldName,
    type,
    sigRef: v instanceof PDFRef ? v : null,
    subFilter: nameOf(doc, sig, 'SubFilter') ?? null,
    byteRange: numbersOf(doc, sig, 'ByteRange') ?? null,
    contents: bytesOf(doc, sig, 'Contents') ?? null,
    claimedTime: parseDate(textOf(doc, sig, 'M')),
    reason: textOf(doc, sig, 'Reason') ?? null,
    name: textOf(doc, sig, 'Name') ?? null,
    docMdpP: docMdpOf(doc, sig),
  };
}

function walkFields(
  doc: PDFDocument,
  fields: PDFObject | undefined,
  prefix: string,
  out: PdfSignature[],
  seen: Set<PDFDict>,
): void {
  const arr = arrayOf(doc, fields);
  for (let i = 0; arr && i < arr.size(); i++) {
    const field = dictOf(doc, arr.get(i));
    if (!field || seen.has(field)) continue;
    seen.add(field);
    const partial = textOf(doc, field, 'T');
    const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
    if (nameOf(doc, field, 'FT') === 'Sig') {
      const sig = toSignature(
        doc,
        name || `Signature${out.length + 1}`,
        field.get(PDFName.of('V')),
      );
      if (sig) out.push(sig);
    }
    walkFields(doc, field.get(PDFName.of('Kids')), name, out, seen);
  }
}

/** Signatures in file order (by the end of their ByteRange), then by name. */
export function findSignatures(doc: PDFDocument): PdfSignature[] {
  const acroForm = dictOf(doc, doc.catalog.get(PDFName.of('AcroForm')));
  const out: PdfSignature[] = [];
  walkFields(doc, acroForm?.get(PDFName.of('Fields')), '', out, new Set());
  const end = (s: PdfSignature): number =>
    s.byteRange && s.byteRange.length === 4
      ? (s.byteRange[2] ?? 0) + (s.byteRange[3] ?? 0)
      : Infinity;
  return out.sort((a, b) => end(a) - end(b) || a.fieldName.localeCompare(b.fieldName));
}

export function readDss(doc: PDFDocument): Dss | null {
  const dss = dictOf(doc, doc.catalog.get(PDFName.of('DSS')));
  if (!dss) return null;
  return {
    certs: streamsOfArray(doc, dss.get(PDFName.of('Certs'))),
    ocsps: streamsOfArray(doc, dss.get(PDFName.of('OCSPs'))),
    crls: streamsOfArray(doc, dss.get(PDFName.of('CRLs'))),
  };
}

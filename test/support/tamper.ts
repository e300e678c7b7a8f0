/**
 * Tamper corpus: each function takes a signed PDF and returns a forged variant that a correct
 * validator must not accept. Incremental updates are written with the test writer from
 * test/server/validation/fixtures.ts, i.e. they are well-formed revisions a viewer would render.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { appendUpdate, serialize } from '../server/validation/fixtures.js';

interface SignatureSpot {
  br: number[];
  brAt: number;
  brLength: number;
}

/** The last signature's ByteRange as written in the file. */
function lastSignature(bytes: Uint8Array): SignatureSpot {
  const text = Buffer.from(bytes).toString('latin1');
  const m = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].at(-1);
  if (!m || m.index === undefined) throw new Error('no signed ByteRange');
  return { br: m.slice(1, 5).map(Number), brAt: m.index, brLength: m[0].length };
}

function copy(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

/** One byte changed inside the first signed range (in the binary comment line, so the PDF still parses). */
export function flipByteInSignedRange(bytes: Uint8Array): Uint8Array {
  const out = copy(bytes);
  const at = out.indexOf('\n') + 2;
  out[at] = (out[at] ?? 0) ^ 0x01;
  return new Uint8Array(out);
}

/** The signature value inside the CMS is altered (one bit); digest and structure stay intact. */
export function breakSignatureValue(bytes: Uint8Array): Uint8Array {
  const { br } = lastSignature(bytes);
  const [, lt = 0, gt = 0] = br;
  const out = copy(bytes);
  const hex = out.subarray(lt + 1, gt - 1).toString('latin1');
  const der = Buffer.from(hex, 'hex');
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  const sig = Buffer.from(sd.signerInfos[0]?.signature.valueBlock.valueHexView ?? []);
  const pos = der.indexOf(sig);
  if (pos < 0) throw new Error('signature value not found');
  der[pos + 10] = (der[pos + 10] ?? 0) ^ 0x01;
  out.write(der.toString('hex'), lt + 1, 'latin1');
  return new Uint8Array(out);
}

/** The CMS in /Contents is cut in half (the rest zero-filled). */
export function truncateContents(bytes: Uint8Array): Uint8Array {
  const { br } = lastSignature(bytes);
  const [, lt = 0, gt = 0] = br;
  const out = copy(bytes);
  const hexStart = lt + 1;
  const text = out.subarray(hexStart, gt - 1).toString('latin1');
  const used = text.replace(/(00)+$/, '').length;
  out.fill('0', hexStart + Math.floor(used / 4) * 2, gt - 1, 'latin1');
  return new Uint8Array(out);
}

/** ByteRange rewritten so that 4 bytes before /Contents are neither signed nor the signature. */
export function byteRangeSkipsBytes(bytes: Uint8Array): Uint8Array {
  const { br, brAt, brLength } = lastSignature(bytes);
  const [a0 = 0, a1 = 0, b0 = 0, b1 = 0] = br;
  const out = copy(bytes);
  out.write(`/ByteRange [${a0} ${a1 - 4} ${b0} ${b1}]`.padEnd(brLength, ' '), brAt, 'latin1');
  return new Uint8Array(out);
}

async function firstPage(
  bytes: Uint8Array,
): Promise<{ doc: PDFDocument; pageRef: PDFRef; page: PDFDict }> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const p = doc.getPage(0);
  return { doc, pageRef: p.ref, page: p.node };
}

/** Page 1 gets a brand-new content stream in an incremental update. */
export async function replacePageContent(bytes: Uint8Array): Promise<Uint8Array> {
  const { doc, pageRef, page } = await firstPage(bytes);
  const num = doc.context.largestObjectNumber + 1;
  const content =
    'BT /F1 14 Tf 50 760 Td (QUYET DINH so 123/QD-UBND: chi 9.000.000.000 dong) Tj ET';
  const newPage = page.clone(doc.context);
  newPage.set(PDFName.of('Contents'), PDFRef.of(num));
  return appendUpdate(bytes, [
    { num, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` },
    { num: pageRef.objectNumber, body: serialize(newPage) },
  ]);
}

/** Shadow "hide": an opaque annotation is laid over the signed text after signing. */
export async function shadowHide(bytes: Uint8Array): Promise<Uint8Array> {
  const { doc, pageRef, page } = await firstPage(bytes);
  const apNum = doc.context.largestObjectNumber + 1;
  const annotNum = apNum + 1;
  const ap = '1 1 1 rg 0 0 500 30 re f';
  const newPage = page.clone(doc.context);
  const annots =
    (page.lookup(PDFName.of('Annots')) as PDFArray | undefined)?.clone(doc.context) ??
    doc.context.obj([]);
  annots.push(PDFRef.of(annotNum));
  newPage.set(PDFName.of('Annots'), annots);
  return appendUpdate(bytes, [
    {
      num: apNum,
      body: `<< /Type /XObject /Subtype /Form /BBox [0 0 500 30] /Length ${ap.length} >>\nstream\n${ap}\nendstream`,
    },
    {
      num: annotNum,
      body: `<< /Type /Annot /Subtype /Square /Rect [45 750 545 780] /F 4 /AP << /N ${apNum} 0 R >> /P ${pageRef.toString()} >>`,
    },
    { num: pageRef.objectNumber, body: serialize(newPage) },
  ]);
}

/** Shadow "replace": the font object keeps its number but gets a new definition in a later revision. */
export async function shadowReplace(bytes: Uint8Array): Promise<Uint8Array> {
  const { doc, page } = await firstPage(bytes);
  const fonts = page.lookup(PDFName.of('Resources'), PDFDict).lookup(PDFName.of('Font'), PDFDict);
  const [, fontRef] = fonts.entries()[0] ?? [];
  if (!(fontRef instanceof PDFRef)) throw new Error('font is not an indirect object');
  const font = doc.context.lookup(fontRef, PDFDict).clone(doc.context);
  font.set(PDFName.of('BaseFont'), PDFName.of('Courier'));
  return appendUpdate(bytes, [{ num: fontRef.objectNumber, body: serialize(font) }]);
}

/** Shadow "hide-and-replace": the page is pointed at content that sat unused in the signed revision. */
export async function shadowHideAndReplace(
  bytes: Uint8Array,
  preparedRef: number,
): Promise<Uint8Array> {
  const { doc, pageRef, page } = await firstPage(bytes);
  const newPage = page.clone(doc.context);
  newPage.set(PDFName.of('Contents'), PDFRef.of(preparedRef));
  return appendUpdate(bytes, [{ num: pageRef.objectNumber, body: serialize(newPage) }]);
}

/** Incremental-saving attack: an object appended after %%EOF without xref or trailer. */
export async function appendObjectsWithoutXref(bytes: Uint8Array): Promise<Uint8Array> {
  const { doc, pageRef, page } = await firstPage(bytes);
  const newPage = page.clone(doc.context);
  newPage.set(PDFName.of('MediaBox'), doc.context.obj([0, 0, 100, 100]));
  const body = Buffer.from(serialize(newPage)).toString('latin1');
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(bytes),
      Buffer.from(`\n${pageRef.objectNumber} 0 obj\n${body}\nendobj\n`, 'latin1'),
    ]),
  );
}

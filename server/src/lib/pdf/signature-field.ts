import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef, PDFString, PDFHexString } from 'pdf-lib';
import { concat, IncrementalUpdate } from './incremental-writer.js';
import { firstPage, type PdfFile } from './pdf-file.js';
import { PdfError } from './pdf-error.js';
import { companionStamp, needsCompanion } from './need-appearances.js';
import { embedContents, fillByteRange, type ByteRange } from './byte-range.js';
import {
  signatureDictBody,
  type Placeholder,
  type SignatureDictOptions,
} from './signature-dict.js';

/** Where and how the widget shows; absent → invisible (Rect [0 0 0 0]). */
export type WidgetAppearance = {
  pageRef?: PDFRef;
  rect: [number, number, number, number];
  /** Adds the appearance objects to the update and returns the form XObject's reference. */
  build(update: IncrementalUpdate): PDFRef;
};

export type PlaceholderOptions = SignatureDictOptions & {
  fieldName?: string;
  appearance?: WidgetAppearance;
};

/** The file to sign: the untouched input followed by the update holding the placeholder. */
export type PreparedPdf = {
  original: Uint8Array;
  update: Uint8Array;
  /** Offsets in the whole file (original + update). */
  placeholder: Placeholder;
  byteRange: ByteRange;
};

/** Writes the signature into the update and returns the finished appended bytes. */
export function completeUpdate(prepared: PreparedPdf, contents: Uint8Array): Uint8Array {
  embedContents(prepared.update, prepared.placeholder, contents, prepared.original.length);
  return prepared.update;
}

/** The whole prepared file in one buffer (one copy of the input). */
export function joinPrepared(prepared: PreparedPdf): Uint8Array {
  return concat([prepared.original, prepared.update]);
}

const N = (name: string): PDFName => PDFName.of(name);

/** Copy-on-write view of the catalog: written only if something changed it. */
export class CatalogEditor {
  private copy: PDFDict | undefined;
  constructor(private readonly file: PdfFile) {}
  get current(): PDFDict {
    return this.copy ?? this.file.catalog;
  }
  edit(): PDFDict {
    this.copy ??= this.file.catalog.clone(this.file.context);
    return this.copy;
  }
  flush(update: IncrementalUpdate): void {
    if (this.copy) update.set(this.file.catalogRef, this.copy);
  }
}

/**
 * pdf-lib's typed lookup throws a plain Error on a damaged file; the signing path must only ever
 * throw PdfError (found by fuzzing: a bit flip in /AcroForm gave a 500).
 */
export function lookupAs(file: PdfFile, ref: PDFRef, kind: 'dict', what: string): PDFDict;
export function lookupAs(file: PdfFile, ref: PDFRef, kind: 'array', what: string): PDFArray;
export function lookupAs(
  file: PdfFile,
  ref: PDFRef,
  kind: 'dict' | 'array',
  what: string,
): PDFDict | PDFArray {
  const value = file.context.lookup(ref);
  if (kind === 'dict' && value instanceof PDFDict) return value;
  if (kind === 'array' && value instanceof PDFArray) return value;
  throw new PdfError(
    'PDF_MALFORMED',
    `${what} (${ref.toString()}) is not ${kind === 'dict' ? 'a dictionary' : 'an array'}: the PDF is damaged.`,
  );
}

function fieldNames(file: PdfFile, fields: PDFArray | undefined): Set<string> {
  const names = new Set<string>();
  for (const item of fields?.asArray() ?? []) {
    const field = file.context.lookup(item);
    const t = field instanceof PDFDict ? field.get(N('T')) : undefined;
    if (t instanceof PDFString || t instanceof PDFHexString) names.add(t.decodeText());
  }
  return names;
}

function existingSignatureCount(file: PdfFile, fields: PDFArray | undefined): number {
  return (fields?.asArray() ?? []).filter((item) => {
    const field = file.context.lookup(item);
    return (
      field instanceof PDFDict && field.get(N('FT')) === N('Sig') && field.get(N('V')) !== undefined
    );
  }).length;
}

/** Adds `fieldRef` to /AcroForm /Fields, creating or rewriting what holds it. */
function addToAcroForm(
  file: PdfFile,
  update: IncrementalUpdate,
  catalog: CatalogEditor,
  fieldRef: PDFRef,
): void {
  const ctx = file.context;
  const raw = catalog.current.get(N('AcroForm'));
  let acro: PDFDict;
  if (raw instanceof PDFRef) {
    acro = lookupAs(file, raw, 'dict', '/AcroForm').clone(ctx);
    update.set(raw, acro);
  } else if (raw instanceof PDFDict) {
    acro = raw.clone(ctx);
    catalog.edit().set(N('AcroForm'), acro);
  } else {
    acro = ctx.obj({});
    const ref = update.allocate();
    update.set(ref, acro);
    catalog.edit().set(N('AcroForm'), ref);
  }
  const fields = acro.get(N('Fields'));
  if (fields instanceof PDFRef) {
    const arr = lookupAs(file, fields, 'array', '/AcroForm /Fields').clone(ctx);
    arr.push(fieldRef);
    update.set(fields, arr);
  } else {
    const arr = fields instanceof PDFArray ? fields.clone(ctx) : ctx.obj([]);
    arr.push(fieldRef);
    acro.set(N('Fields'), arr);
  }
  acro.set(N('SigFlags'), PDFNumber.of(3));
}

function addToAnnots(
  file: PdfFile,
  update: IncrementalUpdate,
  page: { ref: PDFRef; dict: PDFDict },
  ...widgets: PDFRef[]
): void {
  const ctx = file.context;
  const annots = page.dict.get(N('Annots'));
  if (annots instanceof PDFRef) {
    const arr = lookupAs(file, annots, 'array', 'The page /Annots').clone(ctx);
    for (const widget of widgets) arr.push(widget);
    update.set(annots, arr);
    return;
  }
  const pageCopy = page.dict.clone(ctx);
  const arr = annots instanceof PDFArray ? annots.clone(ctx) : ctx.obj([]);
  for (const widget of widgets) arr.push(widget);
  pageCopy.set(N('Annots'), arr);
  update.set(page.ref, pageCopy);
}

function uniqueName(wanted: string | undefined, taken: Set<string>): string {
  if (wanted) {
    if (taken.has(wanted))
      throw new PdfError('PDF_FIELD_EXISTS', `A form field named "${wanted}" already exists.`);
    return wanted;
  }
  for (let i = 1; ; i++) if (!taken.has(`Signature${i}`)) return `Signature${i}`;
}

function pageFor(file: PdfFile, pageRef: PDFRef | undefined): { ref: PDFRef; dict: PDFDict } {
  if (!pageRef) return firstPage(file);
  return { ref: pageRef, dict: lookupAs(file, pageRef, 'dict', 'The page') };
}

/**
 * Writes an incremental update holding a signature (or document time-stamp) dictionary with
 * placeholders, its merged field/widget, and the AcroForm/page/catalog changes; fills /ByteRange.
 */
export function preparePlaceholder(file: PdfFile, o: PlaceholderOptions): PreparedPdf {
  const ctx = file.context;
  const update = new IncrementalUpdate(file);
  const catalog = new CatalogEditor(file);
  const acroNow = ctx.lookup(catalog.current.get(N('AcroForm')));
  const fieldsNow = acroNow instanceof PDFDict ? ctx.lookup(acroNow.get(N('Fields'))) : undefined;
  const fields = fieldsNow instanceof PDFArray ? fieldsNow : undefined;
  if (o.certify && existingSignatureCount(file, fields) > 0) {
    throw new PdfError(
      'PDF_ALREADY_SIGNED',
      'Only the first signature of a document can certify it (DocMDP).',
    );
  }
  const sigRef = update.allocate();
  const widgetRef = update.allocate();
  const page = pageFor(file, o.appearance?.pageRef);
  const name = uniqueName(o.fieldName, fieldNames(file, fields));
  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFHexString.fromText(name),
    V: sigRef,
    F: 132,
    P: page.ref,
    Rect: o.appearance?.rect ?? [0, 0, 0, 0],
  });
  const look = o.appearance ? o.appearance.build(update) : undefined;
  if (look) widget.set(N('AP'), ctx.obj({ N: look }));
  update.set(widgetRef, widget);
  const companion =
    look && o.appearance && needsCompanion(file, catalog.current)
      ? companionStamp(file, update, page.ref, o.appearance.rect, look)
      : undefined;
  const body = signatureDictBody(o);
  update.set(sigRef, body.bytes);
  addToAcroForm(file, update, catalog, widgetRef);
  addToAnnots(file, update, page, widgetRef, ...(companion ? [companion] : []));
  if (o.certify) catalog.edit().set(N('Perms'), ctx.obj({ DocMDP: sigRef }));
  catalog.flush(update);
  const written = update.writeUpdate();
  const at = written.bodyOffsets.get(sigRef.objectNumber)!;
  const placeholder: Placeholder = {
    sigRef,
    byteRangeAt: at + body.byteRangeAt,
    byteRangeLength: body.byteRangeLength,
    contentsStart: at + body.contentsAt,
    contentsEnd: at + body.contentsAt + o.contentsSize * 2 + 2,
  };
  const byteRange = fillByteRange(written.update, placeholder, written.original.length);
  return { original: written.original, update: written.update, placeholder, byteRange };
}

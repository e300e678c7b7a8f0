import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRef,
  type PDFFont,
  type PDFImage,
  type PDFObject,
} from 'pdf-lib';
import { checkImageLimits, readImageHeader } from './image-limits.js';
import { ObjectImporter } from './object-import.js';
import type { IncrementalUpdate } from './incremental-writer.js';
import { pageAt } from './pages.js';
import type { PdfFile } from './pdf-file.js';
import { PdfError } from './pdf-error.js';
import { isoVietnam } from './pdf-date.js';
import type { WidgetAppearance } from './signature-field.js';
import { mapBox, toUser, type Box } from './text-boxes.js';

/** x, y, width, height in the reader's frame (pdf/text-boxes.ts): points from the bottom left of the page as displayed. */
export type Rect = [number, number, number, number];

/** How a page is shown: /Rotate and the visible area (CropBox ∩ MediaBox) in user space. */
export type Frame = { rotate: number; view: [number, number, number, number] };

/** Decree 30 main-document look: leader's signature image, and/or the seal overlapping its left third. */
export type ImageAppearanceOptions = {
  pageIndex?: number;
  /** Default: the lower right of the page. */
  box?: Rect;
  signatureImage?: Uint8Array;
  sealImage?: Uint8Array;
};

/** Lines of text (Tinos, black), e.g. "Ký bởi: …" or a copy's number and time. */
export type TextAppearanceOptions = {
  pageIndex?: number;
  /** Default: the top right of the page. */
  box?: Rect;
  lines: string[];
  align?: 'left' | 'right';
};

/** Decree 30 electronic copy / separate-file appendix: number/notation + signing time, top right of page 1. */
export type CopyAppearanceOptions = {
  numberNotation: string;
  extraLine?: string;
  pageIndex?: number;
  box?: Rect;
};

const require = createRequire(import.meta.url);
let tinosProgram: Uint8Array | undefined;
function tinos(): Uint8Array {
  tinosProgram ??= readFileSync(
    join(
      dirname(require.resolve('@expo-google-fonts/tinos/package.json')),
      '400Regular',
      'Tinos_400Regular.ttf',
    ),
  );
  return tinosProgram;
}

/**
 * Tinos's font program, deflated once per process by zlib. pdf-lib deflates a font it embeds
 * with pako, in JavaScript, at every embedding: ~0.1 s of CPU for every text appearance.
 */
let tinosDeflated: Uint8Array | undefined;
function deflatingTinosOnce(context: PDFDocument['context']): void {
  const flateStream = context.flateStream.bind(context);
  context.flateStream = (contents, dict = {}) =>
    contents === tinosProgram
      ? context.stream((tinosDeflated ??= deflateSync(tinosProgram)), {
          ...dict,
          Filter: 'FlateDecode',
        })
      : flateStream(contents, dict);
}

function numberAt(file: PdfFile, dict: PDFDict, key: string): PDFObject | undefined {
  for (let node: PDFDict | undefined = dict, d = 0; node && d < 64; d++) {
    const value = file.context.lookup(node.get(PDFName.of(key)));
    if (value !== undefined) return value;
    const parent: PDFObject | undefined = file.context.lookup(node.get(PDFName.of('Parent')));
    node = parent instanceof PDFDict ? parent : undefined;
  }
  return undefined;
}

function boxAt(file: PdfFile, page: PDFDict, key: string): Frame['view'] | undefined {
  const box = numberAt(file, page, key);
  if (!(box instanceof PDFArray) || box.size() !== 4) return undefined;
  const [a, b, c, e] = box.asArray().map((v) => {
    const n = file.context.lookup(v);
    return n instanceof PDFNumber ? n.asNumber() : 0;
  }) as Rect;
  return [Math.min(a, c), Math.min(b, e), Math.max(a, c), Math.max(b, e)];
}

/** The page's frame as pdf.js and poppler show it: CropBox clipped to MediaBox, /Rotate inherited. */
export function pageFrame(file: PdfFile, page: PDFDict): Frame {
  const media = boxAt(file, page, 'MediaBox') ?? [0, 0, 595.28, 841.89];
  const crop = boxAt(file, page, 'CropBox') ?? media;
  const view: Frame['view'] = [
    Math.max(media[0], crop[0]),
    Math.max(media[1], crop[1]),
    Math.min(media[2], crop[2]),
    Math.min(media[3], crop[3]),
  ];
  const usable = view[2] > view[0] && view[3] > view[1];
  const rotate = numberAt(file, page, 'Rotate');
  const r = rotate instanceof PDFNumber ? rotate.asNumber() : 0;
  return {
    rotate: (((Math.round(r / 90) * 90) % 360) + 360) % 360,
    view: usable ? view : media,
  };
}

/** Displayed width and height of a frame. */
export function frameSize(f: Frame): [number, number] {
  const w = f.view[2] - f.view[0];
  const h = f.view[3] - f.view[1];
  return f.rotate % 180 === 0 ? [w, h] : [h, w];
}

const n = (v: number): string => (Math.round(v * 100) / 100).toString();

/** `cm` placing an image of aspect w/h centred inside a box, keeping its proportions. */
function fit(image: PDFImage, x: number, y: number, w: number, h: number): string {
  const scale = Math.min(w / image.width, h / image.height);
  const dw = image.width * scale;
  const dh = image.height * scale;
  return `q ${n(dw)} 0 0 ${n(dh)} ${n(x + (w - dw) / 2)} ${n(y + (h - dh) / 2)} cm`;
}

/**
 * The form's /Matrix turning a w×h drawing made upright for the reader into user space: the
 * page is shown rotated clockwise by /Rotate, so the drawing is turned the other way. Viewers
 * fit the turned /BBox into /Rect (PDF 32000 §12.5.5).
 */
function upright(rotate: number, w: number, h: number): number[] {
  switch (rotate) {
    case 90:
      return [0, 1, -1, 0, h, 0];
    case 180:
      return [-1, 0, 0, -1, w, h];
    case 270:
      return [0, -1, 1, 0, 0, w];
    default:
      return [1, 0, 0, 1, 0, 0];
  }
}

function formXObject(
  update: IncrementalUpdate,
  file: PdfFile,
  frame: Frame,
  w: number,
  h: number,
  content: string,
  resources: PDFDict,
): PDFRef {
  const stream = file.context.stream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, n(w), n(h)].map(Number),
    Matrix: upright(frame.rotate, w, h),
    Resources: resources,
  });
  const ref = update.allocate();
  update.set(ref, stream);
  return ref;
}

/** The page, its frame, and the widget /Rect in user space for a box in the reader's frame. */
function placed(file: PdfFile, pageIndex: number | undefined, box: Rect) {
  const page = pageAt(file, pageIndex);
  const frame = pageFrame(file, page.dict);
  const [x, y, w, h] = box;
  const user: Box = mapBox({ x, y, w, h }, (p) => toUser(frame, p));
  const rect: [number, number, number, number] = [user.x, user.y, user.x + user.w, user.y + user.h];
  return { page, frame, rect, w, h };
}

/** Lower right of the page, 20 mm from the right edge: where a box goes when none is given. */
function defaultBox(file: PdfFile, pageIndex: number | undefined, w: number, h: number): Rect {
  const [pw] = frameSize(pageFrame(file, pageAt(file, pageIndex).dict));
  return [Math.max(0, pw - 56.7 - w), 110, w, h];
}

/** Width / height of a PNG from its header (1 when unreadable: the PNG check refuses it later). */
export function pngAspect(png: Uint8Array): number {
  const header = readImageHeader(png);
  return header && header.width > 0 && header.height > 0 ? header.width / header.height : 1;
}

/** Signature and/or seal images; the seal (red) covers about a third of the signature on its left. */
export async function imageAppearance(
  file: PdfFile,
  o: ImageAppearanceOptions,
): Promise<WidgetAppearance> {
  if (!o.signatureImage && !o.sealImage)
    throw new PdfError('PDF_APPEARANCE', 'A visible signature needs a signature or seal image.');
  const box = o.box ?? defaultBox(file, o.pageIndex, 200, 80);
  const { page, frame, rect, w, h } = placed(file, o.pageIndex, box);
  const tmp = await PDFDocument.create();
  const embed = async (png: Uint8Array | undefined): Promise<PDFImage | undefined> => {
    if (!png) return undefined;
    // the declared size first: pdf-lib expands a PNG to RGBA before anything else
    checkImageLimits(png);
    try {
      const img = await tmp.embedPng(png);
      await img.embed();
      return img;
    } catch (cause) {
      throw new PdfError('PDF_APPEARANCE', 'The appearance image must be a PNG file.', { cause });
    }
  };
  const sig = await embed(o.signatureImage);
  const seal = await embed(o.sealImage);
  return {
    pageRef: page.ref,
    rect,
    build(update) {
      const importer = new ObjectImporter(tmp.context, file.context, update);
      const xobjects = file.context.obj({});
      let content = '';
      const sealW = seal ? Math.min(h, w * 0.6) : 0;
      if (sig) {
        xobjects.set(PDFName.of('Sig'), importer.importRef(sig.ref));
        const sw = seal ? ((w - sealW) * 3) / 2 : w;
        const sx = seal ? sealW - sw / 3 : 0;
        content += `${fit(sig, sx, 0, Math.max(sw, 1), h)} /Sig Do Q\n`;
      }
      if (seal) {
        xobjects.set(PDFName.of('Seal'), importer.importRef(seal.ref));
        content += `${fit(seal, 0, 0, sig ? sealW : w, h)} /Seal Do Q\n`;
      }
      return formXObject(
        update,
        file,
        frame,
        w,
        h,
        content,
        file.context.obj({ XObject: xobjects }),
      );
    },
  };
}

/** Text block metrics at 10 pt: the box a text appearance needs, scaled with its font size. */
export const TEXT_REFERENCE_SIZE = 10;
const LINE = 1.25;
const PADDING = 3;

/**
 * fontkit, loaded by the first text appearance only: loading it costs a process ~0.3 s of CPU
 * (a 1.5 MB script that decompresses its Brotli dictionary and Unicode tables at load), which a
 * `lienthong verify`, an invisible signature or a hub that draws no text never needs. Required,
 * not imported: an ESM import of this CommonJS file would first scan all of it for export names.
 */
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
let fontkit: Fontkit | undefined;

async function tinosFont(): Promise<{ tmp: PDFDocument; font: PDFFont }> {
  const tmp = await PDFDocument.create();
  tmp.registerFontkit((fontkit ??= require('@pdf-lib/fontkit') as Fontkit));
  deflatingTinosOnce(tmp.context);
  // Full embedding: pdf-lib 1.17's subsetter (with @pdf-lib/fontkit 1.1) writes glyphs that
  // poppler renders blank or wrong for Tinos, although the text still extracts; see docs/signing.md.
  const font = await tmp.embedFont(tinos(), { subset: false });
  return { tmp, font };
}

/** Width and height of `lines` set in Tinos at the reference size, padding included. */
export async function measureText(lines: string[]): Promise<{ w: number; h: number }> {
  const { font } = await tinosFont();
  return measureWith(font, lines);
}

function measureWith(font: PDFFont, lines: string[]): { w: number; h: number } {
  const size = TEXT_REFERENCE_SIZE;
  const w = Math.max(...lines.map((l) => font.widthOfTextAtSize(l, size))) + 2 * PADDING;
  return { w, h: lines.length * size * LINE + 2 * PADDING };
}

/**
 * Lines of Tinos text filling the box (the font scaled so the widest line fits), left or right
 * aligned, upright for the reader. pdftotext extracts the Vietnamese exactly.
 */
export async function textAppearance(
  file: PdfFile,
  o: TextAppearanceOptions,
): Promise<WidgetAppearance> {
  const { tmp, font } = await tinosFont();
  const ref = measureWith(font, o.lines);
  const box =
    o.box ??
    (() => {
      const [pw, ph] = frameSize(pageFrame(file, pageAt(file, o.pageIndex).dict));
      return [pw - 56.7 - ref.w, ph - 42.5 - ref.h, ref.w, ref.h] as Rect;
    })();
  const { page, frame, rect, w, h } = placed(file, o.pageIndex, box);
  const k = Math.min(w / ref.w, h / ref.h);
  const size = TEXT_REFERENCE_SIZE * k;
  const pad = PADDING * k;
  const encoded = o.lines.map((l) => font.encodeText(l).toString());
  await font.embed();
  return {
    pageRef: page.ref,
    rect,
    build(update) {
      const importer = new ObjectImporter(tmp.context, file.context, update);
      const fontRef = importer.importRef(font.ref);
      const text = encoded
        .map((hex, i) => {
          const width = font.widthOfTextAtSize(o.lines[i]!, size);
          const x = o.align === 'right' ? w - pad - width : pad;
          const y = h - pad - (i + 1) * size * LINE + size * (LINE - 1 + 0.22);
          return `BT /F0 ${n(size)} Tf 0 g ${n(x)} ${n(y)} Td ${hex} Tj ET`;
        })
        .join('\n');
      return formXObject(
        update,
        file,
        frame,
        w,
        h,
        text,
        file.context.obj({ Font: file.context.obj({ F0: fontRef }) }),
      );
    },
  };
}

/** The lines of a Decree 30 copy stamp: number/notation, an optional line, ISO 8601 time (+07:00). */
export function copyLines(signingTime: Date, o: CopyAppearanceOptions): string[] {
  return [o.numberNotation, ...(o.extraLine ? [o.extraLine] : []), isoVietnam(signingTime)];
}

/** Number/notation and ISO 8601 signing time (+07:00), Tinos, top right of page 1 by default. */
export async function copyAppearance(
  file: PdfFile,
  signingTime: Date,
  o: CopyAppearanceOptions,
): Promise<WidgetAppearance> {
  return textAppearance(file, {
    lines: copyLines(signingTime, o),
    align: 'right',
    ...(o.pageIndex !== undefined ? { pageIndex: o.pageIndex } : {}),
    ...(o.box ? { box: o.box } : {}),
  });
}

import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
import { checkImageLimits } from './image-limits.js';
import { ObjectImporter } from './object-import.js';
import type { IncrementalUpdate } from './incremental-writer.js';
import { firstPage, type PdfFile } from './pdf-file.js';
import { PdfError } from './pdf-error.js';
import { lookupAs } from './signature-field.js';
import { isoVietnam } from './pdf-date.js';
import type { WidgetAppearance } from './signature-field.js';

export type Rect = [number, number, number, number];

/** Decree 30 main-document look: leader's signature image, and/or the seal overlapping its left third. */
export type ImageAppearanceOptions = {
  pageIndex?: number;
  /** x, y, width, height in page units; default: the signer block at the lower right of the page. */
  box?: Rect;
  signatureImage?: Uint8Array;
  sealImage?: Uint8Array;
};

/** Decree 30 electronic copy / separate-file appendix: number/notation + signing time, top right of page 1. */
export type CopyAppearanceOptions = {
  numberNotation: string;
  fontSize?: number;
  extraLine?: string;
};

const require = createRequire(import.meta.url);
function tinos(): Uint8Array {
  const dir = dirname(require.resolve('@expo-google-fonts/tinos/package.json'));
  return readFileSync(join(dir, '400Regular', 'Tinos_400Regular.ttf'));
}

function pageAt(file: PdfFile, index: number | undefined): { ref: PDFRef; dict: PDFDict } {
  if (!index) return firstPage(file);
  const ref = pageByCount(file, index) ?? allPageRefs(file)[index];
  if (!ref) throw new PdfError('PDF_NO_SUCH_PAGE', `The PDF has no page ${index + 1}.`);
  return { ref, dict: lookupAs(file, ref, 'dict', `Page ${index + 1}`) };
}

const isPage = (dict: PDFDict): boolean =>
  dict.get(PDFName.of('Type')) === PDFName.of('Page') || !dict.has(PDFName.of('Kids'));

/**
 * Page `index` found by skipping whole subtrees with their /Count: on a lazily read file this
 * reads one branch of the page tree instead of every page dictionary. Undefined when the counts
 * do not add up (then the full walk decides).
 */
function pageByCount(file: PdfFile, index: number): PDFRef | undefined {
  let node = file.context.lookup(file.catalog.get(PDFName.of('Pages')));
  let remaining = index;
  for (let depth = 0; node instanceof PDFDict && depth < 64; depth++) {
    const kids = file.context.lookup(node.get(PDFName.of('Kids')));
    if (!(kids instanceof PDFArray)) return undefined;
    const leaf = flatLeaf(file, node, kids, remaining);
    if (leaf) return leaf;
    let next: PDFDict | undefined;
    for (const kid of kids.asArray()) {
      const dict = file.context.lookup(kid);
      if (!(kid instanceof PDFRef) || !(dict instanceof PDFDict)) continue;
      if (isPage(dict)) {
        if (remaining === 0) return kid;
        remaining--;
        continue;
      }
      const count = dict.get(PDFName.of('Count'));
      if (!(count instanceof PDFNumber)) return undefined;
      if (remaining < count.asNumber()) {
        next = dict;
        break;
      }
      remaining -= count.asNumber();
    }
    if (!next) return undefined;
    node = next;
  }
  return undefined;
}

/**
 * A node whose /Count equals its number of kids usually holds pages only (Ghostscript and most
 * writers make one flat node): then kid `index` is read directly, if it is indeed a page.
 */
function flatLeaf(file: PdfFile, node: PDFDict, kids: PDFArray, index: number): PDFRef | undefined {
  const count = node.get(PDFName.of('Count'));
  if (!(count instanceof PDFNumber) || count.asNumber() !== kids.size()) return undefined;
  const kid = kids.get(index);
  const dict = file.context.lookup(kid);
  return kid instanceof PDFRef && dict instanceof PDFDict && isPage(dict) ? kid : undefined;
}

/** Page references in order, walking the whole tree. */
function allPageRefs(file: PdfFile): PDFRef[] {
  const out: PDFRef[] = [];
  // a hostile /Kids cycle ([2 0 R 2 0 R]) would otherwise cost 2^depth visits
  const seen = new Set<string>();
  const visit = (node: PDFDict, depth: number): void => {
    const kids = file.context.lookup(node.get(PDFName.of('Kids')));
    for (const kid of kids instanceof PDFArray ? kids.asArray() : []) {
      const dict = file.context.lookup(kid);
      if (!(kid instanceof PDFRef) || !(dict instanceof PDFDict) || depth > 64) continue;
      if (seen.has(kid.tag)) continue;
      seen.add(kid.tag);
      if (dict.get(PDFName.of('Type')) === PDFName.of('Page')) out.push(kid);
      else visit(dict, depth + 1);
    }
  };
  const root = file.context.lookup(file.catalog.get(PDFName.of('Pages')));
  if (root instanceof PDFDict) visit(root, 0);
  return out;
}

/** Visible page area (CropBox, else MediaBox, inherited through /Parent). */
export function pageBox(file: PdfFile, page: PDFDict): Rect {
  for (const key of ['CropBox', 'MediaBox']) {
    for (let node: PDFDict | undefined = page, d = 0; node && d < 64; d++) {
      const box = file.context.lookup(node.get(PDFName.of(key)));
      if (box instanceof PDFArray && box.size() === 4) {
        const [a, b, c, e] = box
          .asArray()
          .map((n) => (n instanceof PDFNumber ? n.asNumber() : 0)) as Rect;
        return [Math.min(a, c), Math.min(b, e), Math.abs(c - a), Math.abs(e - b)];
      }
      const parent: PDFObject | undefined = file.context.lookup(node.get(PDFName.of('Parent')));
      node = parent instanceof PDFDict ? parent : undefined;
    }
  }
  return [0, 0, 595.28, 841.89];
}

const n = (v: number): string => (Math.round(v * 100) / 100).toString();

/** `cm` placing an image of aspect w/h centred inside a box, keeping its proportions. */
function fit(image: PDFImage, x: number, y: number, w: number, h: number): string {
  const scale = Math.min(w / image.width, h / image.height);
  const dw = image.width * scale;
  const dh = image.height * scale;
  return `q ${n(dw)} 0 0 ${n(dh)} ${n(x + (w - dw) / 2)} ${n(y + (h - dh) / 2)} cm`;
}

function formXObject(
  update: IncrementalUpdate,
  file: PdfFile,
  w: number,
  h: number,
  content: string,
  resources: PDFDict,
): PDFRef {
  const stream = file.context.stream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, w, h],
    Resources: resources,
  });
  const ref = update.allocate();
  update.set(ref, stream);
  return ref;
}

/** Signature and/or seal images; the seal (red) covers about a third of the signature on its left. */
export async function imageAppearance(
  file: PdfFile,
  o: ImageAppearanceOptions,
): Promise<WidgetAppearance> {
  if (!o.signatureImage && !o.sealImage)
    throw new PdfError('PDF_APPEARANCE', 'A visible signature needs a signature or seal image.');
  const page = pageAt(file, o.pageIndex);
  const [px, py, pw] = pageBox(file, page.dict);
  const [x, y, w, h] = o.box ?? [px + pw - 56.7 - 200, py + 110, 200, 80];
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
    rect: [x, y, x + w, y + h],
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
      return formXObject(update, file, w, h, content, file.context.obj({ XObject: xobjects }));
    },
  };
}

/** Number/notation and ISO 8601 signing time (+07:00), Tinos 10 pt, top right of page 1. */
export async function copyAppearance(
  file: PdfFile,
  signingTime: Date,
  o: CopyAppearanceOptions,
): Promise<WidgetAppearance> {
  const size = o.fontSize ?? 10;
  const lines = [o.numberNotation, ...(o.extraLine ? [o.extraLine] : []), isoVietnam(signingTime)];
  const tmp = await PDFDocument.create();
  tmp.registerFontkit(fontkit);
  // Full embedding: pdf-lib 1.17's subsetter (with @pdf-lib/fontkit 1.1) writes glyphs that
  // poppler renders blank or wrong for Tinos, although the text still extracts; see docs/signing.md.
  const font: PDFFont = await tmp.embedFont(tinos(), { subset: false });
  const encoded = lines.map((l) => font.encodeText(l).toString());
  await font.embed();
  const lineHeight = size * 1.2;
  const w = Math.max(...lines.map((l) => font.widthOfTextAtSize(l, size))) + 4;
  const h = lines.length * lineHeight + 4;
  const page = firstPage(file);
  const [px, py, pw, ph] = pageBox(file, page.dict);
  const x = px + pw - 56.7 - w; // right margin 20 mm
  const y = py + ph - 42.5 - h; // top margin 15 mm
  return {
    pageRef: page.ref,
    rect: [x, y, x + w, y + h],
    build(update) {
      const importer = new ObjectImporter(tmp.context, file.context, update);
      const fontRef = importer.importRef(font.ref);
      const text = encoded
        .map(
          (hex, i) =>
            `BT /F0 ${size} Tf 0 g ${n(w - 2 - font.widthOfTextAtSize(lines[i]!, size))} ${n(h - 2 - (i + 1) * lineHeight + size * 0.25)} Td ${hex} Tj ET`,
        )
        .join('\n');
      return formXObject(
        update,
        file,
        w,
        h,
        text,
        file.context.obj({ Font: file.context.obj({ F0: fontRef }) }),
      );
    },
  };
}

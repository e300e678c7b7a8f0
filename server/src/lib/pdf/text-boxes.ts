/**
 * What a page shows, as boxes in the reader's frame: every text run pdf.js extracts (the same text
 * layer a browser builds) and every signature widget already drawn, with the page's visible size.
 *
 * The reader's frame is the page as a viewer displays it, /Rotate applied: points, origin at the
 * bottom-left corner of the visible area (CropBox ∩ MediaBox), x to the right, y up. Placement
 * works there so that "bottom right" and "below the title" mean what the reader sees; `toUser`
 * maps a result back to the PDF's own user space for the widget's /Rect.
 */
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFHexString,
  PDFObjectCopier,
  PDFString,
  type PDFObject,
} from 'pdf-lib';
import { COMPANION_NAME } from './need-appearances.js';
import { pageAt } from './pages.js';
import type { PdfFile } from './pdf-file.js';
import { PdfError } from './pdf-error.js';

export type Box = { x: number; y: number; w: number; h: number };
/** A run of text on one baseline, in the reader's frame; `size` is its font height. */
export type TextRun = Box & { text: string; size: number };

export type PageLayout = {
  /** 0-based. */
  index: number;
  /** /Rotate, normalised to 0 | 90 | 180 | 270 (inherited values included). */
  rotate: number;
  /** Visible area in user space: x1, y1, x2, y2. */
  view: [number, number, number, number];
  /** Displayed size in points. */
  width: number;
  height: number;
  runs: TextRun[];
  /** Visible signature widgets already on the page (earlier signers). */
  signatures: Box[];
  /** Other visible annotations (filled form fields, stamps…): not to be covered either. */
  obstacles: Box[];
};

type Pt = [number, number];

/** User space → reader's frame for a page (see the module comment). */
export function toReader(page: Pick<PageLayout, 'rotate' | 'view'>, [x, y]: Pt): Pt {
  const [x1, y1, x2, y2] = page.view;
  switch (page.rotate) {
    case 90:
      return [y - y1, x2 - x];
    case 180:
      return [x2 - x, y2 - y];
    case 270:
      return [y2 - y, x - x1];
    default:
      return [x - x1, y - y1];
  }
}

/** Reader's frame → user space (inverse of toReader). */
export function toUser(page: Pick<PageLayout, 'rotate' | 'view'>, [X, Y]: Pt): Pt {
  const [x1, y1, x2, y2] = page.view;
  switch (page.rotate) {
    case 90:
      return [x2 - Y, y1 + X];
    case 180:
      return [x2 - X, y2 - Y];
    case 270:
      return [x1 + Y, y2 - X];
    default:
      return [x1 + X, y1 + Y];
  }
}

/** Bounding box of a quadrilateral's corners mapped by `f`. */
export function mapBox(box: Box, f: (p: Pt) => Pt): Box {
  const pts = [
    f([box.x, box.y]),
    f([box.x + box.w, box.y]),
    f([box.x, box.y + box.h]),
    f([box.x + box.w, box.y + box.h]),
  ];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

type TextItem = { str: string; transform: number[]; width: number; height: number };
type PdfjsPage = {
  rotate: number;
  view: number[];
  getTextContent(): Promise<{ items: unknown[] }>;
};
type PdfjsDocument = {
  numPages: number;
  getPage(n: number): Promise<PdfjsPage>;
  destroy(): Promise<void>;
};

/**
 * A glyph run's box in user space: along the baseline for its advance width, from the descent
 * (¼ of the font height below the baseline) to the ascent (the font height above it), rotated
 * and skewed as the text matrix says, then bounded.
 */
function runBox(item: TextItem): Box & { size: number } {
  const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform;
  const size = Math.hypot(c, d) || Math.hypot(a, b) || 1;
  const along = Math.hypot(a, b) || 1;
  const ux = a / along;
  const uy = b / along;
  const vx = c / size || -uy;
  const vy = d / size || ux;
  const w = item.width;
  const corners: Pt[] = [-0.25, 1].flatMap((t): Pt[] => [
    [e + vx * size * t, f + vy * size * t],
    [e + ux * w + vx * size * t, f + uy * w + vy * size * t],
  ]);
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y, size };
}

function normaliseRotate(r: number): number {
  const v = (((Math.round(r / 90) * 90) % 360) + 360) % 360;
  return v;
}

async function layoutOf(page: PdfjsPage, index: number): Promise<PageLayout> {
  const [vx1 = 0, vy1 = 0, vx2 = 595.28, vy2 = 841.89] = page.view;
  const view: PageLayout['view'] = [
    Math.min(vx1, vx2),
    Math.min(vy1, vy2),
    Math.max(vx1, vx2),
    Math.max(vy1, vy2),
  ];
  const rotate = normaliseRotate(page.rotate);
  const frame = { rotate, view };
  const toR = (p: Pt): Pt => toReader(frame, p);
  const content = await page.getTextContent();
  const runs: TextRun[] = [];
  for (const raw of content.items) {
    const item = raw as Partial<TextItem>;
    if (typeof item.str !== 'string' || !item.transform || !item.str.trim()) continue;
    const box = runBox(item as TextItem);
    if (!Number.isFinite(box.x + box.y + box.w + box.h)) continue;
    runs.push({ ...mapBox(box, toR), text: item.str, size: box.size });
  }
  const sideways = rotate === 90 || rotate === 270;
  const w = view[2] - view[0];
  const h = view[3] - view[1];
  return {
    index,
    rotate,
    view,
    width: sideways ? h : w,
    height: sideways ? w : h,
    runs,
    signatures: [],
    obstacles: [],
  };
}

type PdfjsModule = {
  getDocument(o: Record<string, unknown>): { promise: Promise<PdfjsDocument> };
};
let pdfjs: Promise<PdfjsModule> | undefined;

const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'];

/** An entry of the page or, failing that, of its nearest /Parent that has it. */
function inherited(file: PdfFile, page: PDFDict, key: string): PDFObject | undefined {
  for (let node: PDFDict | undefined = page, d = 0; node && d < 64; d++) {
    const value = node.get(PDFName.of(key));
    if (value !== undefined) return value;
    const parent: PDFObject | undefined = file.context.lookup(node.get(PDFName.of('Parent')));
    node = parent instanceof PDFDict ? parent : undefined;
  }
  return undefined;
}

/**
 * The page alone in a fresh, clean file: its inherited entries made its own, without /Parent and
 * /Annots (widgets point back into the whole document). pdf.js then reads a small well-formed file
 * whatever state the original's cross-reference data is in (our reader has already coped with it),
 * and never walks a 352-page tree to reach one page.
 */
async function onePageFile(file: PdfFile, page: PDFDict): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const copy = page.clone(file.context);
  for (const key of INHERITED) {
    const value = inherited(file, page, key);
    if (value !== undefined) copy.set(PDFName.of(key), value);
  }
  copy.delete(PDFName.of('Parent'));
  copy.delete(PDFName.of('Annots'));
  copy.delete(PDFName.of('StructParents'));
  const copied = PDFObjectCopier.for(file.context, doc.context).copy(copy);
  const pagesRef = doc.catalog.get(PDFName.of('Pages'));
  const pages = doc.context.lookup(pagesRef, PDFDict);
  copied.set(PDFName.of('Parent'), pagesRef!);
  copied.set(PDFName.of('Type'), PDFName.of('Page'));
  pages.set(PDFName.of('Kids'), doc.context.obj([doc.context.register(copied)]));
  pages.set(PDFName.of('Count'), PDFNumber.of(1));
  return doc.save({
    useObjectStreams: false,
    addDefaultPage: false,
    updateFieldAppearances: false,
  });
}

const rectOf = (file: PdfFile, dict: PDFDict): Box | undefined => {
  const rect = file.context.lookup(dict.get(PDFName.of('Rect')));
  if (!(rect instanceof PDFArray) || rect.size() !== 4) return undefined;
  const [x1, y1, x2, y2] = rect.asArray().map((v) => {
    const n = file.context.lookup(v);
    return n instanceof PDFNumber ? n.asNumber() : NaN;
  }) as [number, number, number, number];
  const box = {
    x: Math.min(x1, x2),
    y: Math.min(y1, y2),
    w: Math.abs(x2 - x1),
    h: Math.abs(y2 - y1),
  };
  return Number.isFinite(box.x + box.y + box.w + box.h) && box.w > 1 && box.h > 1 ? box : undefined;
};

/** Visible annotations of the page, in user space: signature widgets apart from the others. */
function annotations(file: PdfFile, page: PDFDict): { signatures: Box[]; others: Box[] } {
  const out = { signatures: [] as Box[], others: [] as Box[] };
  const annots = file.context.lookup(page.get(PDFName.of('Annots')));
  if (!(annots instanceof PDFArray)) return out;
  for (const item of annots.asArray().slice(0, 2000)) {
    const annot = file.context.lookup(item);
    if (!(annot instanceof PDFDict)) continue;
    const flags = file.context.lookup(annot.get(PDFName.of('F')));
    if (flags instanceof PDFNumber && flags.asNumber() & 0b100010) continue; // Hidden, NoView
    const subtype = annot.get(PDFName.of('Subtype'));
    if (subtype === PDFName.of('Link') || subtype === PDFName.of('Popup')) continue;
    const box = rectOf(file, annot);
    if (!box) continue;
    const ft = inherited(file, annot, 'FT');
    const nm = file.context.lookup(annot.get(PDFName.of('NM')));
    const companion =
      (nm instanceof PDFHexString || nm instanceof PDFString) && nm.decodeText() === COMPANION_NAME;
    (ft === PDFName.of('Sig') || companion ? out.signatures : out.others).push(box);
  }
  return out;
}

/**
 * The layout of page `index` (0-based) of `file`: text runs from pdf.js (legacy build, for Node;
 * imported only when a visible signature needs it, so other commands never load it), and the
 * visible annotations from the page's /Annots.
 */
export async function pageLayout(file: PdfFile, index: number): Promise<PageLayout> {
  const page = pageAt(file, index);
  const single = await onePageFile(file, page.dict);
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs') as unknown as Promise<PdfjsModule>;
  const lib = await pdfjs;
  let doc: PdfjsDocument | undefined;
  try {
    doc = await lib.getDocument({
      data: single,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      useWorkerFetch: false,
      verbosity: 0,
    }).promise;
    const layout = await layoutOf(await doc.getPage(1), index);
    const annots = annotations(file, page.dict);
    const frame = { rotate: layout.rotate, view: layout.view };
    const toR = (p: Pt): Pt => toReader(frame, p);
    layout.signatures = annots.signatures.map((b) => mapBox(b, toR));
    layout.obstacles = annots.others.map((b) => mapBox(b, toR));
    return layout;
  } catch (cause) {
    if (cause instanceof PdfError) throw cause;
    throw new PdfError(
      'PDF_MALFORMED',
      `Page ${index + 1} cannot be read: ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    await doc?.destroy();
  }
}

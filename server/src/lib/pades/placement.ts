/**
 * Where a visible signature goes, as a clerk would put it (Decree 30, DOMAIN.md §2.3):
 * - the leader's signature in the blank gap between the signer block's title lines ("KT. CỤC
 *   TRƯỞNG / PHÓ CỤC TRƯỞNG") and the signer's name, centred on the block, scaled to the gap;
 * - the seal's image over the left third of the leader's signature; a seal without an image is
 *   text, placed as a signature's text would be, beside the others and over none;
 * - the copy stamp at the top right of page 1;
 * - without a signer block (or without room in it): the free area nearest the bottom right of
 *   the last page (nearest the block when there is one).
 * Whatever is chosen never covers a glyph box or a visible annotation of the page, and lies
 * inside the visible page. Everything here is in the reader's frame (see pdf/text-boxes.ts).
 */
import type { TProposedPlacement } from '../../contracts/signing.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import { pageAt, pageCount } from '../pdf/pages.js';
import { PdfError } from '../pdf/pdf-error.js';
import { pageLayout, type Box, type PageLayout, type TextRun } from '../pdf/text-boxes.js';

export type PlacementKind = 'signer' | 'seal' | 'copy';

/** What is to be placed: its shape and how small it may become and stay legible. */
export type Shape = {
  /** Width / height of the appearance. */
  aspect: number;
  /** Preferred height in points (scaled down to fit, never below minHeight). */
  height: number;
  minHeight: number;
  /** Never wider than this. */
  maxWidth?: number;
  /** Lines of text, not an image: never drawn over another signature, where it could not be read. */
  text?: true;
};

export type PlacementRequest = {
  kind: PlacementKind;
  shape: Shape;
  /** The caller's own choice: 0-based page and a box in the reader's frame; checked, not moved. */
  explicit?: { pageIndex: number; box: Box };
};

export type Placement = {
  layout: PageLayout;
  box: Box;
  how: TProposedPlacement['how'];
};

/** How far a box keeps from glyphs, in points. */
const PAD = 1.5;
/** How many pages back from the last one a signer block is looked for. */
const PAGES_SEARCHED = 4;

const AUTHORITY = /^(TM|KT|Q|TL|TUQ)\s*\.\s*\S/u;
const TITLE_WORDS =
  /(CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG|BÍ THƯ|CHÁNH|THỦ TƯỚNG|PHÓ|ỦY VIÊN|TỔNG THƯ KÝ|KẾ TOÁN|NGƯỜI ĐẠI DIỆN|THỦ QUỸ)/u;

const isUpper = (s: string): boolean => /\p{Lu}/u.test(s) && s === s.toLocaleUpperCase('vi');
const bottom = (b: Box): number => b.y;
const top = (b: Box): number => b.y + b.h;
const centreX = (b: Box): number => b.x + b.w / 2;

type Line = Box & { text: string; size: number };

/**
 * Text runs grouped into lines and split into columns: runs on one baseline join when the space
 * between them is under two font heights, so "Nơi nhận:" on the left and "KT. CỤC TRƯỞNG" on the
 * right of the same baseline stay two segments.
 */
export function lines(runs: TextRun[]): Line[] {
  const sorted = [...runs].sort((a, b) => bottom(b) - bottom(a) || a.x - b.x);
  const rows: TextRun[][] = [];
  for (const run of sorted) {
    const row = rows.find((r) => Math.abs(bottom(r[0]!) - bottom(run)) < 0.35 * run.size);
    if (row) row.push(run);
    else rows.push([run]);
  }
  const out: Line[] = [];
  for (const row of rows) {
    row.sort((a, b) => a.x - b.x);
    let cur: Line | undefined;
    for (const run of row) {
      if (cur && run.x - (cur.x + cur.w) < 2 * Math.max(cur.size, run.size)) {
        const x2 = Math.max(cur.x + cur.w, run.x + run.w);
        const y1 = Math.min(cur.y, run.y);
        const y2 = Math.max(top(cur), top(run));
        const space = run.x - (cur.x + cur.w) > 0.15 * run.size ? ' ' : '';
        cur = {
          x: cur.x,
          y: y1,
          w: x2 - cur.x,
          h: y2 - y1,
          text: cur.text + space + run.text,
          size: Math.max(cur.size, run.size),
        };
        out[out.length - 1] = cur;
      } else {
        cur = { x: run.x, y: run.y, w: run.w, h: run.h, text: run.text, size: run.size };
        out.push(cur);
      }
    }
  }
  return out.sort((a, b) => bottom(b) - bottom(a));
}

const overlapsX = (a: Box, b: Box, slack = 0): boolean =>
  a.x < b.x + b.w + slack && b.x < a.x + a.w + slack;

export type SignerBlock = {
  /** The authority/title lines, top to bottom. */
  titles: Line[];
  /** The signer's full name. */
  name: Line;
  /** Horizontal centre of the block. */
  cx: number;
};

/**
 * The lowest signer block of a page: an authority line (TM./KT./Q./TL./TUQ.) or an upper-case
 * position title, the upper-case lines right under it, and below them, in the same column, the
 * signer's name (not all capitals).
 */
export function findSignerBlock(page: PageLayout): SignerBlock | undefined {
  const all = lines(page.runs).map((l) => ({ ...l, text: l.text.normalize('NFC').trim() }));
  for (let i = all.length - 1; i >= 0; i--) {
    const anchor = all[i]!;
    const text = anchor.text;
    if (!(AUTHORITY.test(text) || (isUpper(text) && TITLE_WORDS.test(text) && text.length <= 60)))
      continue;
    // only the top line of a block anchors it: the line above in its column is not a title
    const titles: Line[] = [anchor];
    let name: Line | undefined;
    for (const next of all.slice(i + 1)) {
      const last = titles[titles.length - 1]!;
      if (!overlapsX(next, anchor, anchor.size)) continue;
      if (bottom(last) - top(next) > 260) break;
      const parenthesised = /^\(.*\)$/u.test(next.text);
      if ((isUpper(next.text) || parenthesised) && bottom(last) - top(next) < 2.5 * last.size) {
        titles.push(next);
        continue;
      }
      if (isUpper(next.text) || parenthesised) break;
      name = next;
      break;
    }
    if (!name) continue;
    const cx =
      (Math.min(...titles.map((t) => t.x)) + Math.max(...titles.map((t) => t.x + t.w))) / 2;
    return { titles, name, cx };
  }
  return undefined;
}

/** Free-space test over the page: glyph boxes and annotations rasterised to a coarse grid. */
class Occupancy {
  private readonly cell: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly sum: Int32Array;

  constructor(
    readonly page: PageLayout,
    blocked: Box[],
  ) {
    this.cell = Math.max(1, Math.min(page.width, page.height) / 240);
    this.cols = Math.ceil(page.width / this.cell);
    this.rows = Math.ceil(page.height / this.cell);
    const grid = new Uint8Array(this.cols * this.rows);
    for (const b of blocked) {
      const c1 = Math.max(0, Math.floor((b.x - PAD) / this.cell));
      const c2 = Math.min(this.cols - 1, Math.floor((b.x + b.w + PAD) / this.cell));
      const r1 = Math.max(0, Math.floor((b.y - PAD) / this.cell));
      const r2 = Math.min(this.rows - 1, Math.floor((b.y + b.h + PAD) / this.cell));
      for (let r = r1; r <= r2; r++) grid.fill(1, r * this.cols + c1, r * this.cols + c2 + 1);
    }
    // 2-D prefix sums: any rectangle's count in four reads
    const W = this.cols + 1;
    this.sum = new Int32Array(W * (this.rows + 1));
    for (let r = 0; r < this.rows; r++)
      for (let c = 0; c < this.cols; c++)
        this.sum[(r + 1) * W + c + 1] =
          grid[r * this.cols + c]! +
          this.sum[r * W + c + 1]! +
          this.sum[(r + 1) * W + c]! -
          this.sum[r * W + c]!;
  }

  /** True when no blocked cell meets the box. */
  free(b: Box): boolean {
    const W = this.cols + 1;
    const c1 = Math.max(0, Math.floor(b.x / this.cell));
    const c2 = Math.min(this.cols, Math.ceil((b.x + b.w) / this.cell));
    const r1 = Math.max(0, Math.floor(b.y / this.cell));
    const r2 = Math.min(this.rows, Math.ceil((b.y + b.h) / this.cell));
    const n =
      this.sum[r2 * W + c2]! -
      this.sum[r1 * W + c2]! -
      this.sum[r2 * W + c1]! +
      this.sum[r1 * W + c1]!;
    return n === 0;
  }

  /**
   * The free box of `shape`, as large as fits inside the page's margin, nearest `target` (a point
   * the box's `anchor` corner should be close to).
   */
  nearest(shape: Shape, target: [number, number], anchor: [number, number]): Box | undefined {
    const m = marginOf(this.page);
    for (const [w, h] of sizes(shape, this.page.width - 2 * m, this.page.height - 2 * m)) {
      const box = this.closestFree({ w, h }, m, target, anchor);
      if (box) return box;
    }
    return undefined;
  }

  /** The free w×h box inside margin `m` whose anchor corner lies closest to `target`. */
  private closestFree(
    { w, h }: { w: number; h: number },
    m: number,
    target: [number, number],
    anchor: [number, number],
  ): Box | undefined {
    let best: Box | undefined;
    let bestD = Infinity;
    for (let y = m; y + h <= this.page.height - m + 1e-6; y += this.cell) {
      for (let x = m; x + w <= this.page.width - m + 1e-6; x += this.cell) {
        const d = (x + anchor[0] * w - target[0]) ** 2 + (y + anchor[1] * h - target[1]) ** 2;
        if (d >= bestD) continue;
        const box = { x, y, w, h };
        if (this.free(box)) [best, bestD] = [box, d];
      }
    }
    return best;
  }
}

/** The page's margin for automatic placement: 20 pt, less on small pages. */
const marginOf = (p: PageLayout): number => Math.min(20, 0.04 * Math.min(p.width, p.height));

function blockedBoxes(page: PageLayout, withSignatures: boolean): Box[] {
  return [...page.runs, ...page.obstacles, ...(withSignatures ? page.signatures : [])];
}

const inside = (p: PageLayout, b: Box): boolean =>
  b.x >= -0.5 && b.y >= -0.5 && b.x + b.w <= p.width + 0.5 && b.y + b.h <= p.height + 0.5;

/** Sizes to try, largest first: the preferred height scaled down to the minimum. */
function sizes(shape: Shape, limitW: number, limitH: number): [number, number][] {
  const out: [number, number][] = [];
  for (let h = Math.min(shape.height, limitH); h >= shape.minHeight - 1e-6; h *= 0.85) {
    let w = h * shape.aspect;
    if (shape.maxWidth && w > shape.maxWidth) w = shape.maxWidth;
    if (w > limitW) continue;
    out.push([w, Math.min(h, w / shape.aspect)]);
  }
  return out;
}

/** The signature in the block's gap: centred on the block, as tall as the gap allows. */
function inGap(
  page: PageLayout,
  occ: Occupancy,
  block: SignerBlock,
  shape: Shape,
): Box | undefined {
  const last = block.titles[block.titles.length - 1]!;
  const gapTop = bottom(last) - PAD;
  const gapBottom = top(block.name) + PAD;
  const gap = gapTop - gapBottom;
  const m = marginOf(page);
  for (const [w, h] of sizes(shape, page.width - 2 * m, gap - 2)) {
    const y = gapBottom + (gap - h) / 2;
    const x = Math.min(Math.max(block.cx - w / 2, m), page.width - m - w);
    // nudge sideways a little when another column's text reaches into the gap
    for (const dx of [0, -w / 8, w / 8, -w / 4, w / 4]) {
      const box = { x: x + dx, y, w, h };
      if (box.x >= m && box.x + w <= page.width - m && occ.free(box)) return box;
    }
  }
  return undefined;
}

function refuse(page: PageLayout, what: string): never {
  throw new PdfError(
    'PDF_NO_ROOM',
    `Trang ${page.index + 1} (${Math.round(page.width)}×${Math.round(page.height)} pt) không còn chỗ trống đủ cho ${what} mà không che chữ; hãy chỉ định vị trí (trang,x,y,rộng,cao).`,
  );
}

const WHAT: Record<PlacementKind, string> = {
  signer: 'chữ ký',
  seal: 'con dấu',
  copy: 'dấu sao y',
};

/** Checks a caller's box: on an existing page, inside it, over no glyph or annotation. */
async function checkExplicit(file: PdfFile, r: PlacementRequest): Promise<Placement> {
  const { pageIndex, box } = r.explicit!;
  if (pageIndex < 0 || pageIndex >= pageCount(file))
    throw new PdfError('PDF_NO_SUCH_PAGE', `Văn bản không có trang ${pageIndex + 1}.`);
  const layout = await pageLayout(file, pageIndex);
  if (!inside(layout, box))
    throw new PdfError(
      'PDF_BAD_PLACEMENT',
      `Vị trí chữ ký nằm ngoài trang ${pageIndex + 1} (trang rộng ${Math.round(layout.width)} pt, cao ${Math.round(layout.height)} pt).`,
    );
  const covered = blockedBoxes(layout, false).find((g) => intersects(g, box));
  if (covered)
    throw new PdfError(
      'PDF_BAD_PLACEMENT',
      `Vị trí chữ ký trên trang ${pageIndex + 1} che mất nội dung văn bản${'text' in covered ? ` ("${String(covered.text).slice(0, 40)}")` : ''}; hãy chọn chỗ trống.`,
    );
  return { layout, box, how: 'explicit' };
}

export const intersects = (a: Box, b: Box): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The last page holding a signer block (up to a few pages back), else the last page. */
async function signingPage(file: PdfFile): Promise<{ layout: PageLayout; block?: SignerBlock }> {
  const count = pageCount(file);
  let last: PageLayout | undefined;
  for (let i = count - 1; i >= Math.max(0, count - PAGES_SEARCHED); i--) {
    let layout: PageLayout;
    try {
      pageAt(file, i);
      layout = await pageLayout(file, i);
    } catch (error) {
      // a /Count larger than the reachable pages: the pages that exist decide
      if (error instanceof PdfError && error.code === 'PDF_NO_SUCH_PAGE') continue;
      throw error;
    }
    last ??= layout;
    const block = findSignerBlock(layout);
    if (block) return { layout, block };
  }
  return { layout: last ?? (await pageLayout(file, 0)) };
}

/** The seal over the left third of the leader's signature already on the page. */
function overSignature(page: PageLayout, occ: Occupancy, sig: Box, shape: Shape): Box | undefined {
  for (let h = Math.min(shape.height, sig.h * 1.25); h >= shape.minHeight - 1e-6; h *= 0.9) {
    const w = h * shape.aspect;
    const x = sig.x + sig.w / 3 - w;
    for (const dy of [0, -h / 6, h / 6]) {
      const box = { x, y: sig.y + (sig.h - h) / 2 + dy, w, h };
      if (inside(page, box) && occ.free(box)) return box;
    }
  }
  return undefined;
}

/** Decides where the appearance goes (see the module comment); PDF_NO_ROOM when nothing fits. */
export async function placeAppearance(file: PdfFile, r: PlacementRequest): Promise<Placement> {
  if (r.explicit) return checkExplicit(file, r);
  if (r.kind === 'copy') {
    const layout = await pageLayout(file, 0);
    const occ = new Occupancy(layout, blockedBoxes(layout, true));
    // 20 mm from the right edge, 15 mm from the top, or the free place nearest it
    const target: [number, number] = [
      layout.width - Math.min(56.7, marginOf(layout) * 2),
      layout.height - Math.min(42.5, marginOf(layout) * 2),
    ];
    const box = occ.nearest(r.shape, target, [1, 1]);
    return box ? { layout, box, how: 'free-area' } : refuse(layout, WHAT.copy);
  }
  const { layout, block } = await signingPage(file);
  // only a seal's image goes over the leader's signature (Decree 30); a seal without one is text
  const covers = r.kind === 'seal' && !r.shape.text;
  const occ = new Occupancy(layout, blockedBoxes(layout, !covers));
  if (covers) {
    const sig = leaderSignature(layout, block);
    if (sig) {
      const box = overSignature(layout, occ, sig, r.shape);
      if (box) return { layout, box, how: 'over-signature' };
    }
  }
  if (block) {
    const box = inGap(layout, occ, block, r.shape);
    if (box) return { layout, box, how: 'signer-block' };
    // no room between title and name: as close under the block as there is room
    const below = occ.nearest(r.shape, [block.cx, bottom(block.name)], [0.5, 1]);
    if (below) return { layout, box: below, how: 'free-area' };
  }
  const m = marginOf(layout);
  const box = occ.nearest(r.shape, [layout.width - m, m], [1, 0]);
  return box ? { layout, box, how: 'free-area' } : refuse(layout, WHAT[r.kind]);
}

/** The earlier signature the seal goes over: the one in the signer block's gap, else the lowest. */
function leaderSignature(page: PageLayout, block: SignerBlock | undefined): Box | undefined {
  if (page.signatures.length === 0) return undefined;
  if (block) {
    const last = block.titles[block.titles.length - 1]!;
    const inBlock = page.signatures.find(
      (s) => s.y >= top(block.name) - 2 && top(s) <= bottom(last) + 2,
    );
    if (inBlock) return inBlock;
  }
  return [...page.signatures].sort((a, b) => a.y - b.y)[0];
}

export { centreX };

/**
 * What a reader sees, from poppler: a page rendered by pdftoppm (72 dpi, so one pixel is one
 * point, top-left origin, /Rotate applied) and its words' boxes from pdftotext -bbox in the same
 * frame. Tests compare renderings before and after signing to find where the appearance landed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, withTempDir } from './validators.js';

export type Raster = { width: number; height: number; rgb: Buffer };
export type PxBox = { x1: number; y1: number; x2: number; y2: number };
export type Word = PxBox & { text: string };

function parsePpm(ppm: Buffer): Raster {
  // P6\n<w> <h>\n255\n<data>
  let at = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(ppm[at]!))) at++;
    let s = '';
    while (!/\s/.test(String.fromCharCode(ppm[at]!))) s += String.fromCharCode(ppm[at++]!);
    fields.push(s);
  }
  at++;
  return { width: Number(fields[1]), height: Number(fields[2]), rgb: ppm.subarray(at) };
}

export function render(pdf: Uint8Array, page: number, dpi = 72): Raster {
  return withTempDir((dir) => {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    const r = run('pdftoppm', [
      '-r',
      String(dpi),
      '-f',
      String(page),
      '-l',
      String(page),
      file,
      join(dir, 'p'),
    ]);
    if (r.status !== 0) throw new Error(`pdftoppm failed: ${r.out}`);
    const out = run('sh', ['-c', `cat ${join(dir, 'p')}*.ppm | base64 -w0`]).out;
    return parsePpm(Buffer.from(out, 'base64'));
  });
}

export function savePng(pdf: Uint8Array, page: number, outPrefix: string, dpi = 72): void {
  withTempDir((dir) => {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    run('pdftoppm', [
      '-png',
      '-singlefile',
      '-r',
      String(dpi),
      '-f',
      String(page),
      '-l',
      String(page),
      file,
      outPrefix,
    ]);
  });
}

/** Words with their boxes (points, top-left origin of the page as displayed). */
export function words(pdf: Uint8Array, page: number): Word[] {
  const html = withTempDir((dir) => {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    return run('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), file, '-']).out;
  });
  return [
    ...html.matchAll(
      /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
    ),
  ].map((m) => ({ x1: +m[1]!, y1: +m[2]!, x2: +m[3]!, y2: +m[4]!, text: m[5]! }));
}

export function pageCount(pdf: Uint8Array): number {
  return withTempDir((dir) => {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    return Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [file]).out)?.[1] ?? 0);
  });
}

/**
 * Bounding box of the pixels that changed between two renderings and whose new colour passes
 * `test` (e.g. "blue-ish"); undefined when none did.
 */
export function changed(
  before: Raster,
  after: Raster,
  test: (r: number, g: number, b: number) => boolean = () => true,
): (PxBox & { count: number }) | undefined {
  let box: (PxBox & { count: number }) | undefined;
  const w = Math.min(before.width, after.width);
  const h = Math.min(before.height, after.height);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * after.width + x) * 3;
      const j = (y * before.width + x) * 3;
      const [r, g, b] = [after.rgb[i]!, after.rgb[i + 1]!, after.rgb[i + 2]!];
      const d =
        Math.abs(r - before.rgb[j]!) +
        Math.abs(g - before.rgb[j + 1]!) +
        Math.abs(b - before.rgb[j + 2]!);
      if (d < 60 || !test(r, g, b)) continue;
      box ??= { x1: x, y1: y, x2: x, y2: y, count: 0 };
      box.x1 = Math.min(box.x1, x);
      box.y1 = Math.min(box.y1, y);
      box.x2 = Math.max(box.x2, x);
      box.y2 = Math.max(box.y2, y);
      box.count++;
    }
  }
  return box;
}

export const blueish = (r: number, g: number, b: number): boolean => b > 120 && r < 100 && g < 100;
export const redish = (r: number, g: number, b: number): boolean => r > 150 && g < 90 && b < 90;
export const greenish = (r: number, g: number, b: number): boolean => g > 110 && r < 80 && b < 80;

export const meets = (a: PxBox, b: PxBox, slack = 0): boolean =>
  a.x1 < b.x2 - slack && b.x1 < a.x2 - slack && a.y1 < b.y2 - slack && b.y1 < a.y2 - slack;

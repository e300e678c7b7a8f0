/**
 * Issue #19's acceptance run: every file of the test corpus and of the conformance corpus
 * (`npx tsx scripts/placement-report.ts [CONFORMANCE_UNSIGNED_DIR] [PNG_OUT_DIR]`) signed by the
 * leader with an image, then sealed by the clerk; poppler renders the last page before and after
 * and the report says, per file, whether both show, upright, inside the page, over no word, and
 * for letters with a signer block whether the signature lies between title and name with the seal
 * over its left third. Files that cannot be signed at all are listed with the refusal.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { signerFromPkcs12 } from '../server/src/lib/cms/index.js';
import { LibraryError } from '../server/src/errors/library-error.js';
import { appearanceFactory, signPdf } from '../server/src/lib/pades/index.js';
import { corpus } from '../test/support/corpus.js';
import { P12_PASSWORD, testPki } from '../test/support/openssl-pki.js';
import { ringPng, signaturePng } from '../test/server/pades/png.js';
import {
  blueish,
  changed,
  greenish,
  meets,
  pageCount,
  redish,
  render,
  savePng,
  words,
} from '../test/server/pades/render.js';

const conformance =
  process.argv[2] ??
  [resolve('../shared/conformance/unsigned'), resolve('../../shared/conformance/unsigned')].find(
    existsSync,
  );
const pngDir = process.argv[3];
if (pngDir) mkdirSync(pngDir, { recursive: true });

const pki = testPki();
const leader = signerFromPkcs12(readFileSync(pki.rsa.p12Path), P12_PASSWORD);
const clerk = signerFromPkcs12(readFileSync(pki.rsa2.p12Path), P12_PASSWORD);
const SIG = signaturePng();
const SEAL = ringPng(120, 120, [220, 0, 0]);

const files: [string, string][] = (await corpus())
  .filter((e) => !e.name.startsWith('encrypted'))
  .map((e) => [e.name, e.path]);
if (conformance)
  for (const f of readdirSync(conformance)
    .filter((n) => n.endsWith('.pdf'))
    .sort())
    files.push([f, join(conformance, f)]);

let clean = 0;
let decree30 = 0;
let refused = 0;
for (const [name, path] of files) {
  const pdf = new Uint8Array(readFileSync(path));
  try {
    const a = await signPdf(pdf, {
      signer: leader,
      appearance: appearanceFactory({ kind: 'signer', signatureImage: SIG }),
    });
    const b = await signPdf(a, {
      signer: clerk,
      appearance: appearanceFactory({ kind: 'seal', sealImage: SEAL }),
    });
    // the last page that changed (a direct-kid page tree can leave the last page unreachable)
    let line = 'NOTHING VISIBLE';
    const n = pageCount(b);
    for (let p = n; p >= Math.max(1, n - 4); p--) {
      const r0 = render(pdf, p);
      const r2 = render(b, p);
      const blue = changed(r0, r2, blueish);
      const red = changed(r0, r2, redish);
      const green = changed(r0, r2, greenish);
      if (!blue || !red) continue;
      const all = [blue, red, ...(green ? [green] : [])];
      const box = {
        x1: Math.min(...all.map((v) => v.x1)),
        y1: Math.min(...all.map((v) => v.y1)),
        x2: Math.max(...all.map((v) => v.x2)),
        y2: Math.max(...all.map((v) => v.y2)),
      };
      const ws = words(pdf, p);
      const covered = ws.filter((w) => meets(w, box, 1)).map((w) => w.text);
      const w = blue.x2 - blue.x1;
      const h = blue.y2 - blue.y1;
      const upright = !!green && green.x1 - blue.x1 < w / 4 && green.y1 - blue.y1 < h / 4 && w > h;
      const inside = box.x1 >= 0 && box.y1 >= 0 && box.x2 < r2.width && box.y2 < r2.height;
      const title = ws.filter((x) => /^(PHÓ|CHỦ)$/.test(x.text)).pop();
      const signerName = ws.filter((x) => /^(Trần|Nguyễn)$/.test(x.text)).pop();
      const between =
        title && signerName && title.y2 < signerName.y1
          ? blue.y1 >= title.y2 && blue.y2 <= signerName.y1
          : undefined;
      const third = (red.x2 - blue.x1) / w;
      const ok = upright && inside && covered.length === 0;
      if (ok) clean++;
      if (between && third > 0.2 && third < 0.45) decree30++;
      line =
        `page ${p}/${n} ${r2.width}×${r2.height}pt  ${ok ? 'OK' : 'PROBLEM'}  upright=${upright} inside=${inside} ` +
        `covered=${covered.join('|') || 'none'}` +
        (between === undefined
          ? ''
          : `  between-title-and-name=${between} seal-right-edge-at=${(third * 100).toFixed(0)}% of the signature`);
      if (pngDir) savePng(b, p, join(pngDir, name.replace(/\.pdf$/, '')), 50);
      break;
    }
    console.log(`${name.padEnd(46)} ${line}`);
  } catch (error) {
    if (!(error instanceof LibraryError)) throw error;
    refused++;
    console.log(`${name.padEnd(46)} refused ${error.code}: ${error.message}`);
  }
}
console.log(
  `\n${files.length} files: ${clean} signed and sealed cleanly, ${refused} refused; ${decree30} with the signature between title and name and the seal over its left third.`,
);

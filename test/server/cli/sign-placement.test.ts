/**
 * `lienthong sign --visible …` places appearances with the Decree 30 engine (issue #19): the
 * leader's image between the signer block's title and name, the clerk's seal over its left third,
 * tiny pages either legible inside the page or refused with one line, and a caller's box checked.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { CORPUS_DIR, corpus } from '../../support/corpus.js';
import { P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { runCliSync } from '../../support/process.js';
import { ringPng, signaturePng } from '../pades/png.js';
import { blueish, changed, meets, redish, render, words, type Word } from '../pades/render.js';

describe('lienthong sign --visible: Decree 30 placement (issue #19)', function () {
  this.timeout(120_000);
  let dir: string;
  const f = (name: string) => join(dir, name);
  const sign = (input: string, output: string, extra: string[], who: 'rsa' | 'rsa2' = 'rsa') =>
    runCliSync([
      'sign',
      '--in',
      input,
      '--out',
      output,
      '--p12',
      testPki()[who].p12Path,
      '--password',
      P12_PASSWORD,
      ...extra,
    ]);

  before(async () => {
    await corpus();
    dir = mkdtempSync(join(tmpdir(), 'lienthong-cli-placement-'));
    writeFileSync(f('sig.png'), signaturePng());
    writeFileSync(f('seal.png'), ringPng(120, 120, [220, 0, 0]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leader then clerk on a LibreOffice letter: signature between title and name, seal over its left third', () => {
    const letter = join(CORPUS_DIR, 'decree30-soffice.pdf');
    let r = sign(letter, f('leader.pdf'), ['--visible', 'signer', '--image', f('sig.png')]);
    expect(r.status, r.stderr).to.equal(0);
    r = sign(
      f('leader.pdf'),
      f('sealed.pdf'),
      ['--visible', 'seal', '--image', f('seal.png')],
      'rsa2',
    );
    expect(r.status, r.stderr).to.equal(0);
    const original = readFileSync(letter);
    const before = render(original, 1);
    const after = render(readFileSync(f('sealed.pdf')), 1);
    const blue = changed(before, after, blueish)!;
    const red = changed(before, after, redish)!;
    const ws = words(original, 1);
    const title = ws.filter((w) => w.text === 'PHÓ').pop()!;
    const name = ws.filter((w) => w.text === 'Trần').pop()!;
    expect(blue.y1).to.be.at.least(title.y2);
    expect(blue.y2).to.be.at.most(name.y1);
    const third = (blue.x2 - blue.x1) / 3;
    expect(red.x2 - blue.x1).to.be.within(third * 0.6, third * 1.4);
    expect(ws.filter((w) => meets(w, blue, 1) || meets(w, red, 1))).to.deep.equal([]);
  });

  it('a 60×60 pt page: the image legible inside the page, the text appearance refused with one line (exit 2)', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([60, 60]);
    writeFileSync(f('tiny.pdf'), await doc.save());
    const withImage = sign(f('tiny.pdf'), f('tiny-signed.pdf'), [
      '--visible',
      'signer',
      '--image',
      f('sig.png'),
    ]);
    expect(withImage.status, withImage.stderr).to.equal(0);
    const blue = changed(
      render(readFileSync(f('tiny.pdf')), 1),
      render(readFileSync(f('tiny-signed.pdf')), 1),
      blueish,
    )!;
    expect(blue.x1).to.be.at.least(0);
    expect(blue.x2).to.be.below(60);
    expect(blue.y2).to.be.below(60);
    expect(blue.x2 - blue.x1, 'at least 40 pt wide').to.be.at.least(40);

    const text = sign(f('tiny.pdf'), f('tiny-text.pdf'), ['--visible', 'signer']);
    expect(text.status, text.stderr).to.equal(2);
    expect(text.stderr.trim().split('\n')).to.have.length(1);
    expect(text.stderr).to.include('Trang 1 (60×60 pt)').and.include('PDF_NO_ROOM');
  });

  it('an explicit box over the text is refused with one line naming the page (exit 2)', () => {
    const r = sign(join(CORPUS_DIR, 'decree30-word.pdf'), f('x.pdf'), [
      '--visible',
      '1,85,650,200,40',
      '--image',
      f('sig.png'),
    ]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.include('trang 1').and.include('PDF_BAD_PLACEMENT');
  });

  it('without images: the seal\'s "Ký bởi" text goes beside the leader\'s, over no word of the page', () => {
    const letter = join(CORPUS_DIR, 'decree30-soffice.pdf');
    let r = sign(letter, f('leader-text.pdf'), ['--visible', 'signer']);
    expect(r.status, r.stderr).to.equal(0);
    r = sign(f('leader-text.pdf'), f('sealed-text.pdf'), ['--visible', 'seal'], 'rsa2');
    expect(r.status, r.stderr).to.equal(0);
    const before = words(readFileSync(f('leader-text.pdf')), 1);
    const same = (a: Word, b: Word) => a.text === b.text && a.x1 === b.x1 && a.y1 === b.y1;
    const seal = words(readFileSync(f('sealed-text.pdf')), 1).filter(
      (w) => !before.some((b) => same(b, w)),
    );
    expect(seal.map((w) => w.text).join(' ')).to.match(/^Ký bởi: UBND tỉnh Thanh Hóa/);
    // nothing of the seal's text lies on the letter's words or the leader's "Ký bởi" lines
    const covered = seal.flatMap((w) => before.filter((b) => meets(w, b, 0.5)));
    expect(covered.map((b) => b.text)).to.deep.equal([]);
  });

  it('without an image: "Ký bởi" text with the signer, organization and time, extractable', () => {
    const r = sign(join(CORPUS_DIR, 'decree30-word.pdf'), f('text.pdf'), ['--visible', 'signer']);
    expect(r.status, r.stderr).to.equal(0);
    const text = words(readFileSync(f('text.pdf')), 1)
      .map((w) => w.text)
      .join(' ');
    expect(text).to.match(/Ký bởi: Nguyễn Văn An/);
    expect(text).to.match(/Thời gian ký: \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d/);
  });
});

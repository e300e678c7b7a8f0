/**
 * Issue #19: visible signatures placed as a clerk places them, checked on what poppler renders.
 * The leader signs with a blue signature image (a green square marks its top left), the clerk
 * then seals with a red seal; the renderings before and after show where each landed.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFBool, PDFDict, PDFDocument, PDFName, StandardFonts, degrees } from 'pdf-lib';
import { corpus, corpusBytes, tinosPath, type CorpusName } from '../../support/corpus.js';
import { nssDatabase, P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { signerFromPkcs12 } from '../../../server/src/lib/cms/index.js';
import { appearanceFactory, signPdf } from '../../../server/src/lib/pades/index.js';
import { ringPng, signaturePng } from './png.js';
import {
  blueish,
  changed,
  greenish,
  meets,
  pageCount,
  redish,
  render,
  words,
  type PxBox,
} from './render.js';
import { pdfsig, pdfsigBlocks } from './validators.js';

const SIG = signaturePng();
const SEAL = ringPng(120, 120, [220, 0, 0]);
const signer = (w: 'rsa' | 'rsa2') =>
  signerFromPkcs12(readFileSync(testPki()[w].p12Path), P12_PASSWORD);

type Outcome = {
  signed: Uint8Array;
  page: number;
  blue: PxBox;
  red: PxBox;
  green: PxBox;
  width: number;
  height: number;
};

/** Leader (image) then clerk (seal), and where each shows on the last page. */
async function leaderThenSeal(pdf: Uint8Array): Promise<Outcome> {
  const leader = await signPdf(pdf, {
    signer: signer('rsa'),
    appearance: appearanceFactory({ kind: 'signer', signatureImage: SIG }),
  });
  const signed = await signPdf(leader, {
    signer: signer('rsa2'),
    appearance: appearanceFactory({ kind: 'seal', sealImage: SEAL }),
  });
  const page = pageCount(signed);
  const before = render(pdf, page);
  const after = render(signed, page);
  const blue = changed(before, after, blueish);
  const red = changed(before, after, redish);
  const green = changed(before, after, greenish);
  expect(blue, 'signature visible on the last page').to.not.equal(undefined);
  expect(red, 'seal visible on the last page').to.not.equal(undefined);
  expect(green, 'signature mark visible').to.not.equal(undefined);
  return {
    signed,
    page,
    blue: blue!,
    red: red!,
    green: green!,
    width: after.width,
    height: after.height,
  };
}

const union = (...b: PxBox[]): PxBox => ({
  x1: Math.min(...b.map((v) => v.x1)),
  y1: Math.min(...b.map((v) => v.y1)),
  x2: Math.max(...b.map((v) => v.x2)),
  y2: Math.max(...b.map((v) => v.y2)),
});

/** Visible, upright, inside the page, over no word of the original. */
function expectClean(o: Outcome, original: Uint8Array): void {
  const all = union(o.blue, o.red, o.green);
  expect(all.x1).to.be.at.least(0);
  expect(all.y1).to.be.at.least(0);
  expect(all.x2).to.be.below(o.width);
  expect(all.y2).to.be.below(o.height);
  // upright: the green mark sits in the top-left corner of the blue signature as the reader sees it
  const w = o.blue.x2 - o.blue.x1;
  const h = o.blue.y2 - o.blue.y1;
  expect(o.green.x1 - o.blue.x1, 'mark at the left').to.be.below(w / 4);
  expect(o.green.y1 - o.blue.y1, 'mark at the top').to.be.below(h / 4);
  expect(w, 'signature wider than tall, as drawn').to.be.above(h);
  const covered = words(original, o.page).filter((word) => meets(word, all, 1));
  expect(covered.map((c) => c.text)).to.deep.equal([]);
}

/** Title lines above, the signer's name below: the box between them (poppler's words). */
function gapOf(original: Uint8Array, page: number, title: string, name: string) {
  const ws = words(original, page);
  const t = ws.filter((w) => w.text === title).pop()!;
  const n = ws.filter((w) => w.text === name).pop()!;
  expect(t, `"${title}" on page ${page}`).to.not.equal(undefined);
  expect(n, `"${name}" on page ${page}`).to.not.equal(undefined);
  return { titleBottom: t.y2, nameTop: n.y1, cx: (t.x1 + t.x2) / 2 };
}

function expectDecree30(o: Outcome, original: Uint8Array): void {
  const gap = gapOf(original, o.page, 'PHÓ', 'Trần');
  expect(o.blue.y1, 'signature below the title').to.be.at.least(gap.titleBottom);
  expect(o.blue.y2, 'signature above the name').to.be.at.most(gap.nameTop);
  const sw = o.blue.x2 - o.blue.x1;
  // the seal covers about the left third of the signature
  expect(o.red.x1).to.be.below(o.blue.x1);
  expect(o.red.x2 - o.blue.x1).to.be.within(sw * 0.2, sw * 0.45);
  expect(meets(o.red, o.blue)).to.equal(true);
}

describe('Decree 30 placement (issue #19), as poppler renders it', function () {
  this.timeout(120_000);
  let available: Set<CorpusName>;
  before(async () => {
    available = new Set((await corpus()).map((e) => e.name));
  });

  for (const name of ['decree30-soffice', 'decree30-word'] as const) {
    it(`${name}: signature between "PHÓ CỤC TRƯỞNG" and "Trần Thị Bình", seal over its left third`, async () => {
      expect(available.has(name), `${name} built (LibreOffice installed)`).to.equal(true);
      const pdf = await corpusBytes(name);
      const o = await leaderThenSeal(pdf);
      expectClean(o, pdf);
      expectDecree30(o, pdf);
      const blocks = pdfsigBlocks(pdfsig(o.signed, nssDatabase(testPki())));
      expect(blocks).to.have.length(2);
      for (const b of blocks) expect(b).to.include('Signature is Valid');
    });
  }

  it('every signable corpus file: both visible on the last page, upright, inside, no word covered', async () => {
    for (const name of [
      'letter-gs',
      'letter-objstm',
      'letter-linearized',
      'letter-incremental',
      'letter-soffice',
      'report-60-pages',
    ] as const) {
      const pdf = await corpusBytes(name);
      expectClean(await leaderThenSeal(pdf), pdf);
    }
  });

  /** A letter page in any geometry, text drawn upright for the reader. */
  async function geometry(o: {
    rotate: number;
    media: [number, number, number, number];
  }): Promise<Uint8Array> {
    const doc = await PDFDocument.create();
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(readFileSync(tinosPath()), { subset: false });
    const [x0, y0, x1, y1] = o.media;
    const page = doc.addPage([x1 - x0, y1 - y0]);
    page.setMediaBox(x0, y0, x1 - x0, y1 - y0);
    page.setRotation(degrees(o.rotate));
    const w = x1 - x0;
    const h = y1 - y0;
    // text upright for the reader: drawn rotated with the page's rotation
    const lines = [
      'Kính gửi: Các đơn vị trực thuộc.',
      'Đề nghị các đơn vị triển khai ký số văn bản điện tử.',
      'KT. CỤC TRƯỞNG',
      'PHÓ CỤC TRƯỞNG',
      '',
      '',
      '',
      '',
      'Trần Thị Bình',
    ];
    const sideways = o.rotate % 180 !== 0;
    const rw = sideways ? h : w; // reader's width and height
    const rh = sideways ? w : h;
    lines.forEach((text, i) => {
      if (!text) return;
      const right = i >= 2;
      const size = 12;
      const tw = font.widthOfTextAtSize(text, size);
      const X = right ? rw * 0.72 - tw / 2 : 60; // reader's frame
      const Y = rh - 80 - i * 18;
      // reader (X, Y) → user space, as a viewer undoes /Rotate
      const [ux, uy] =
        o.rotate === 90
          ? [x1 - Y, y0 + X]
          : o.rotate === 180
            ? [x1 - X, y1 - Y]
            : o.rotate === 270
              ? [x0 + Y, y1 - X]
              : [x0 + X, y0 + Y];
      page.drawText(text, { x: ux, y: uy, size, font, rotate: degrees(o.rotate) });
    });
    return doc.save({ useObjectStreams: false });
  }

  for (const rotate of [0, 90, 180, 270]) {
    it(`/Rotate ${rotate} with a negative MediaBox origin: upright, in the signer block, no word covered`, async () => {
      const pdf = await geometry({ rotate, media: [-100, -300, 495.28, 541.89] });
      const o = await leaderThenSeal(pdf);
      expectClean(o, pdf);
      expectDecree30(o, pdf);
    });
  }

  it('inherited /Rotate 90 (on the page tree node) is honoured', async () => {
    const doc = await PDFDocument.load(await geometry({ rotate: 90, media: [0, 0, 595, 842] }));
    const page = doc.getPages()[0]!;
    page.node.delete(PDFName.of('Rotate'));
    doc.catalog.Pages().set(PDFName.of('Rotate'), doc.context.obj(90));
    const pdf = await doc.save({ useObjectStreams: false });
    const o = await leaderThenSeal(pdf);
    expectClean(o, pdf);
    expectDecree30(o, pdf);
  });

  it('a form with /NeedAppearances true: the signature stays visible in poppler, field values too', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    const helv = await doc.embedFont(StandardFonts.Helvetica);
    page.drawText('Registration form', { x: 60, y: 780, size: 20, font: helv });
    const field = doc.getForm().createTextField('name');
    field.setText('Alice');
    field.addToPage(page, { x: 60, y: 700, width: 200, height: 24, font: helv });
    doc.catalog
      .lookup(PDFName.of('AcroForm'), PDFDict)
      .set(PDFName.of('NeedAppearances'), PDFBool.True);
    const pdf = await doc.save({ useObjectStreams: false, updateFieldAppearances: true });
    const o = await leaderThenSeal(pdf);
    expectClean(o, pdf);
    expect(words(o.signed, 1).map((w) => w.text)).to.include('Registration');
  });

  it('no signer block, page full of text but a corner: the free area nearest the bottom right', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    const helv = await doc.embedFont(StandardFonts.Helvetica);
    for (let y = 60; y < 800; y += 14)
      for (const x of [30, 300])
        page.drawText('Lorem ipsum dolor sit amet, consectetur adipiscing', {
          x,
          y,
          size: 11,
          font: helv,
        });
    const pdf = await doc.save();
    const o = await leaderThenSeal(pdf);
    expectClean(o, pdf);
    // the only room is the bottom strip (below y = 60 in PDF terms)
    expect(o.blue.y1).to.be.above(842 - 60 - 4);
  });
});

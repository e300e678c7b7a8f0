import { expect } from 'chai';
import { createPrivateKey } from 'node:crypto';
import { PDFDict, PDFDocument, PDFName, PDFRef, PDFStream } from 'pdf-lib';
import { corpus, corpusBytes, SIGNABLE, type CorpusName } from '../../support/corpus.js';
import { nssDatabase, testPki } from '../../support/openssl-pki.js';
import { keySigner } from '../../../server/src/lib/cms/index.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import { imageAppearance } from '../../../server/src/lib/pdf/appearance.js';
import { openPdfLazily, XrefBrokenError } from '../../../server/src/lib/pdf/lazy-pdf-file.js';
import { PdfLimitError } from '../../../server/src/lib/pdf/limits.js';
import { loadPdf, firstPage } from '../../../server/src/lib/pdf/pdf-file.js';
import { preparePlaceholder } from '../../../server/src/lib/pdf/signature-field.js';
import { pdfsig, pdfsigBlocks, qpdfCheck } from '../pades/validators.js';
import { ringPng } from '../pades/png.js';
import { hybridPdf } from './hybrid-pdf.js';

function signer() {
  const pki = testPki();
  return keySigner(createPrivateKey(pki.rsa.keyPem), pki.rsa.chain);
}

function expectValid(signed: Uint8Array, count = 1): void {
  const blocks = pdfsigBlocks(pdfsig(signed, nssDatabase(testPki())));
  expect(blocks).to.have.length(count);
  for (const b of blocks) expect(b).to.include('Signature is Valid');
}

const isImage = (o: unknown): boolean =>
  o instanceof PDFStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image');

describe('lazy PDF reader', function () {
  this.timeout(120_000);
  let available: Set<CorpusName>;

  before(async () => {
    available = new Set((await corpus()).map((e) => e.name));
  });

  for (const name of SIGNABLE) {
    it(`${name}: every object read through the xref equals pdf-lib's full parse`, async function () {
      if (!available.has(name)) this.skip();
      const bytes = await corpusBytes(name);
      const lazy = openPdfLazily(bytes);
      const full = await loadPdf(bytes);
      const objects = full.context.enumerateIndirectObjects();
      expect(objects.length).to.be.greaterThan(5);
      for (const [ref, obj] of objects) {
        const mine = lazy.context.lookup(ref);
        if (obj instanceof PDFStream) {
          expect(mine, ref.toString()).to.be.instanceOf(PDFStream);
          expect((mine as PDFStream).dict.toString(), ref.toString()).to.equal(obj.dict.toString());
        } else expect(mine?.toString(), ref.toString()).to.equal(obj.toString());
      }
      expect(lazy.nextObjectNumber).to.equal(full.nextObjectNumber);
      const summary = (t: typeof lazy.trailer): string[] =>
        [t.xrefOffset, t.kind, t.size, t.root, t.info, t.id, t.encrypt].map(String);
      expect(summary(lazy.trailer)).to.deep.equal(summary(full.trailer));
    });
  }

  it('reads a PNG-predicted xref stream (qpdf object streams) without the full parse', async function () {
    if (!available.has('letter-objstm')) this.skip();
    const bytes = await corpusBytes('letter-objstm');
    expect(Buffer.from(bytes).toString('latin1')).to.match(/\/Type\s*\/XRef[^]*\/Predictor 12/);
    const file = openPdfLazily(bytes);
    expect(file.trailer.kind).to.equal('stream');
    expect(firstPage(file).dict.get(PDFName.of('Type'))).to.equal(PDFName.of('Page'));
  });

  it('hybrid file: the page listed only in /XRefStm is found; qpdf and pdfsig accept the signed file', async () => {
    const hybrid = hybridPdf();
    expect(qpdfCheck(hybrid).status, qpdfCheck(hybrid).out).to.equal(0);
    const file = openPdfLazily(hybrid);
    const page = file.context.lookup(PDFRef.of(3, 0));
    expect(page).to.be.instanceOf(PDFDict);
    expect((page as PDFDict).get(PDFName.of('Type'))).to.equal(PDFName.of('Page'));
    const signed = await signPdf(hybrid, { signer: signer() });
    expectValid(signed);
    const check = qpdfCheck(signed);
    expect(check.status, check.out).to.equal(0);
  });

  it('10 MB of images: preparing the signature reads a handful of objects and no image stream', async function () {
    if (!available.has('images-10mb')) this.skip();
    const bytes = await corpusBytes('images-10mb');
    const full = await loadPdf(bytes);
    expect(full.context.enumerateIndirectObjects().some(([, o]) => isImage(o))).to.equal(true);
    const file = openPdfLazily(bytes);
    const prepared = preparePlaceholder(file, { kind: 'signature', contentsSize: 8192 });
    const read = file.context.enumerateIndirectObjects();
    expect(read.some(([, o]) => isImage(o))).to.equal(false);
    expect(read.length).to.be.below(10);
    expect(prepared.original).to.equal(bytes); // appended to, never copied
    expect(prepared.update.length).to.be.below(20_000);
  });

  it('page by index walks one branch of the page tree (60 pages) and finds the same page as pdf-lib', async function () {
    if (!available.has('report-60-pages')) this.skip();
    const bytes = await corpusBytes('report-60-pages');
    const expected = (await PDFDocument.load(bytes)).getPages()[45]!.ref;
    const file = openPdfLazily(bytes);
    const look = await imageAppearance(file, {
      pageIndex: 45,
      signatureImage: ringPng(40, 20, [200, 0, 0]),
    });
    expect(look.pageRef).to.equal(expected);
    const pagesRead = file.context
      .enumerateIndirectObjects()
      .filter(([, o]) => o instanceof PDFDict && o.get(PDFName.of('Type')) === PDFName.of('Page'));
    expect(pagesRead.length).to.be.below(5);
  });

  it('a broken xref entry is detected on lookup and signing falls back to the full parse', async function () {
    if (!available.has('letter-classic-1.4')) this.skip();
    const bytes = Buffer.from(await corpusBytes('letter-classic-1.4'));
    const good = openPdfLazily(bytes);
    const pageRef = firstPage(good).ref;
    const text = bytes.toString('latin1');
    const xrefAt = text.lastIndexOf('\nxref') + 1;
    const firstEntry = text.indexOf('\n', text.indexOf('\n', xrefAt) + 1) + 1;
    const entryAt = firstEntry + 20 * pageRef.objectNumber;
    expect(text.slice(entryAt + 17, entryAt + 18)).to.equal('n');
    const broken = Buffer.from(bytes);
    broken.write('0000000009', entryAt, 'latin1'); // the page now "lies" inside the header
    const lazy = openPdfLazily(broken);
    expect(() => lazy.context.lookup(pageRef)).to.throw(XrefBrokenError);
    expectValid(await signPdf(broken, { signer: signer() }));
  });

  it('an object-stream bomb is refused with PDF_LIMIT_EXCEEDED, not inflated', async () => {
    const bomb = hybridPdf(4 * 1024 * 1024);
    expect(bomb.length).to.be.below(64 * 1024);
    // refused by the lazy reader itself (the full parse's file scan would refuse it too)
    expect(() => openPdfLazily(bomb).context.lookup(PDFRef.of(3, 0))).to.throw(PdfLimitError);
    const error = await signPdf(bomb, { signer: signer() }).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(error?.code).to.equal('PDF_LIMIT_EXCEEDED');
  });
});

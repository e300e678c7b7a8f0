import { expect } from 'chai';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { IncrementalUpdate, loadPdf } from '../../../server/src/lib/pdf/index.js';
import { fillByteRange, hashByteRange } from '../../../server/src/lib/pdf/byte-range.js';
import { qpdfCheck } from '../pades/validators.js';
import { createHash } from 'node:crypto';

/** A minimal classic-xref PDF whose offsets are computed, so tests can predict every byte. */
function classicPdf(trailingNewline = true): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(text.length);
    text += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 4\n0000000000 65535 f\r\n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`;
  text += `trailer\n<< /Size 4 /Root 1 0 R /ID [<AB> <CD>] >>\nstartxref\n${xref}\n%%EOF${trailingNewline ? '\n' : ''}`;
  return Buffer.from(text, 'latin1');
}

describe('IncrementalUpdate', () => {
  it('appends objects and a classic xref section byte for byte', async () => {
    const original = classicPdf();
    const file = await loadPdf(original);
    expect(file.trailer.kind).to.equal('table');
    expect(file.nextObjectNumber).to.equal(4);
    const update = new IncrementalUpdate(file);
    const ref = update.allocate();
    update.set(ref, file.context.obj({ Title: PDFString.of('x') }));
    const catalog = file.catalog.clone(file.context);
    catalog.set(PDFName.of('Info'), ref);
    update.set(file.catalogRef, catalog);
    const out = Buffer.from(update.write().bytes);
    expect(out.subarray(0, original.length).equals(original)).to.equal(true);
    const o1 = original.length;
    const obj1 = '1 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n/Info 4 0 R\n>>\nendobj\n';
    const o4 = o1 + obj1.length;
    const obj4 = '4 0 obj\n<<\n/Title (x)\n>>\nendobj\n';
    const xrefAt = o4 + obj4.length;
    const expected =
      obj1 +
      obj4 +
      `xref\n1 1\n${String(o1).padStart(10, '0')} 00000 n\r\n4 1\n${String(o4).padStart(10, '0')} 00000 n\r\n` +
      `trailer\n<< /Size 5 /Root 1 0 R /Prev ${original.toString('latin1').match(/startxref\n(\d+)/)![1]} /ID [<AB> <CD>] >>\n` +
      `startxref\n${xrefAt}\n%%EOF\n`;
    expect(out.subarray(original.length).toString('latin1')).to.equal(expected);
    expect(qpdfCheck(out).status).to.equal(0);
  });

  it('adds an end-of-line first when the original does not end with one', async () => {
    const original = classicPdf(false);
    const file = await loadPdf(original);
    const update = new IncrementalUpdate(file);
    update.set(update.allocate(), file.context.obj({ B: 2 }));
    const out = Buffer.from(update.write().bytes);
    expect(out.subarray(0, original.length).equals(original)).to.equal(true);
    expect(out[original.length]).to.equal(0x0a);
    expect(qpdfCheck(out).status).to.equal(0);
  });

  it('writes an xref stream after an xref-stream file: /W [1 4 2], /Index runs, rows listing itself', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const original = Buffer.from(await doc.save({ useObjectStreams: true }));
    const file = await loadPdf(original);
    expect(file.trailer.kind).to.equal('stream');
    const update = new IncrementalUpdate(file);
    const a = update.allocate();
    update.set(a, file.context.obj({ A: 1 }));
    const { bytes, bodyOffsets } = update.write();
    const tail = Buffer.from(bytes).subarray(original.length).toString('latin1');
    const self = a.objectNumber + 1;
    expect(tail).to.match(
      new RegExp(
        `${self} 0 obj\\n<< /Type /XRef /Size ${self + 1} /Root ${file.catalogRef.toString()} /Prev ${file.trailer.xrefOffset}`,
      ),
    );
    expect(tail).to.include(`/Index [${a.objectNumber} 2] /W [1 4 2] /Length 14 >>`);
    const streamStart =
      bytes.length - Buffer.from(tail).length + tail.indexOf('stream\n') + 'stream\n'.length;
    const rows = Buffer.from(bytes.subarray(streamStart, streamStart + 14));
    const objOffset = bodyOffsets.get(a.objectNumber)! - `${a.objectNumber} 0 obj\n`.length;
    const xrefOffset = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(tail)![1]);
    expect(rows.toString('hex')).to.equal(
      `01${objOffset.toString(16).padStart(8, '0')}0000` +
        `01${xrefOffset.toString(16).padStart(8, '0')}0000`,
    );
    expect(qpdfCheck(bytes).status).to.equal(0);
  });
});

describe('ByteRange', () => {
  it('is filled in place with space padding and hashes exactly the two ranges', () => {
    const text = '<< /ByteRange [0 0000000000 0000000000 0000000000] /Contents <0000> >>';
    const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
    const contentsStart = text.indexOf('<0000>');
    const placeholder = {
      sigRef: undefined as never,
      byteRangeAt: text.indexOf('0 0000'),
      byteRangeLength: 34,
      contentsStart,
      contentsEnd: contentsStart + 6,
    };
    const range = fillByteRange(bytes, placeholder);
    expect(range).to.deep.equal([
      0,
      contentsStart,
      contentsStart + 6,
      text.length - contentsStart - 6,
    ]);
    const filled = Buffer.from(bytes).toString('latin1');
    expect(filled).to.equal(
      `<< /ByteRange [${`0 ${contentsStart} ${contentsStart + 6} 3`.padEnd(34, ' ')}] /Contents <0000> >>`,
    );
    const expectedHash = createHash('sha256')
      .update(filled.slice(0, contentsStart), 'latin1')
      .update(filled.slice(contentsStart + 6), 'latin1')
      .digest('hex');
    expect(hashByteRange(bytes, range).toString('hex')).to.equal(expectedHash);
  });
});

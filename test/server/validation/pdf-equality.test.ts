/**
 * Semantic equality of PDF values between two revisions (pdf-equality.ts), on documents built
 * with pdf-lib: what counts as the same value, and that a crafted reference structure cannot make
 * the comparison run away.
 */
import { expect } from 'chai';
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString } from 'pdf-lib';
import { changedDictKeys, valuesEqual } from '../../../server/src/lib/validation/pdf-equality.js';

describe('validation: semantic equality of PDF values', () => {
  let a: PDFDocument;
  let b: PDFDocument;
  beforeEach(async () => {
    a = await PDFDocument.create();
    b = await PDFDocument.create();
  });

  it('key order, literal vs hex strings and a number moved into an indirect object are equal', () => {
    const x = a.context.obj({ Type: 'Page', Lang: PDFString.of('vi-VN'), Rotate: 90 });
    const ninety = b.context.register(b.context.obj(90));
    const y = b.context.obj({});
    y.set(PDFName.of('Rotate'), ninety);
    y.set(PDFName.of('Lang'), PDFHexString.of(Buffer.from('vi-VN').toString('hex')));
    y.set(PDFName.of('Type'), PDFName.of('Page'));
    expect(valuesEqual({ doc: a, obj: x }, { doc: b, obj: y })).to.equal(true);
    expect(changedDictKeys(a, x, b, y)).to.deep.equal([]);
  });

  it('a different value, a missing key or another string is a change, named by its key', () => {
    const x = a.context.obj({ Type: 'Page', Rotate: 90, T: PDFString.of('A') });
    const y = b.context.obj({ Type: 'Page', Rotate: 180, T: PDFString.of('B') });
    expect(valuesEqual({ doc: a, obj: x }, { doc: b, obj: y })).to.equal(false);
    expect(changedDictKeys(a, x, b, y)).to.have.members(['/Rotate', '/T']);
    const z = b.context.obj({ Type: 'Page', Rotate: 90 });
    expect(changedDictKeys(a, x, b, z)).to.deep.equal(['/T']);
  });

  it('equal values behind references that differ on both sides, 30 levels of two keys: answered, as a change', () => {
    // every level points twice at the next one, under other object numbers on each side:
    // followed naively that is 2^30 comparisons (all equal, so none stops the walk early);
    // past the step budget the answer is "changed", and the objects are judged by their roles
    const chain = (doc: PDFDocument, first: number): PDFDict => {
      let next: PDFRef | null = null;
      for (let i = 30; i > 0; i--) {
        const dict: PDFDict = doc.context.obj({ Level: i });
        if (next) {
          dict.set(PDFName.of('A'), next);
          dict.set(PDFName.of('B'), next);
        }
        next = PDFRef.of(first + i);
        doc.context.assign(next, dict);
      }
      return doc.context.obj({ Root: next });
    };
    expect(valuesEqual({ doc: a, obj: chain(a, 100) }, { doc: b, obj: chain(b, 500) })).to.equal(
      false,
    );
  });
});

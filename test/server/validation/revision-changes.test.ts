/**
 * Changes after signing that the reference validators (EU DSS, pyHanko) judge differently from a
 * byte-level object comparison (issue #18, items 4 and 5): rewritten-but-equal objects, Adobe's
 * new /Annots array, DocMDP P=1, annotations on an approval signature, and the DSS-2236 "replace"
 * shadow attack on a form field.
 */
import { expect } from 'chai';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRef,
  PDFString,
  StandardFonts,
} from 'pdf-lib';
import {
  validatePdf,
  type TSignatureReport,
  type TValidationReport,
} from '../../../server/src/lib/validation/index.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as tamper from '../../support/tamper.js';
import * as f from './fixtures.js';

describe('validation: changes after signing judged like DSS and pyHanko', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  const validate = (bytes: Uint8Array): Promise<TValidationReport> =>
    validatePdf(bytes, { trustAnchors: [pki.root.certDer] });
  const first = (r: TValidationReport): TSignatureReport => {
    const s = r.signatures[0];
    if (!s) throw new Error('no signature in report');
    return s;
  };
  const codes = (s: TSignatureReport): string[] =>
    [...s.messages, ...s.warnings].map((m) => m.code);
  const sign = (bytes: Uint8Array, extra: Partial<f.CmsOptions & f.PlaceholderOptions> = {}) =>
    f.addSignature(bytes, {
      signer: pki.signerRsa,
      chain: [pki.ca],
      revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
      ...extra,
    });

  before(() => {
    pki = createValidationPki();
  });

  /** Page 1 rewritten in a new revision: keys reversed, a string turned hex, a number made indirect. */
  async function rewritePageEqually(bytes: Uint8Array): Promise<Uint8Array> {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    const page = doc.getPage(0);
    const original = doc.context.obj({});
    for (const [k, v] of page.node.entries()) original.set(k, v);
    original.set(PDFName.of('Rotate'), doc.context.obj(0));
    original.set(PDFName.of('PieceInfo'), PDFString.of('LienThong'));
    const base = await f.appendUpdate(bytes, [
      { num: page.ref.objectNumber, body: f.serialize(original) },
    ]);
    const signed = await sign(base);
    const after = await PDFDocument.load(signed, { updateMetadata: false });
    const node = after.getPage(0).node;
    const numberRef = after.context.largestObjectNumber + 1;
    const rewritten = after.context.obj({});
    for (const [k, v] of node.entries().reverse()) rewritten.set(k, v);
    rewritten.set(PDFName.of('Rotate'), PDFRef.of(numberRef));
    rewritten.set(
      PDFName.of('PieceInfo'),
      PDFHexString.of(Buffer.from('LienThong').toString('hex')),
    );
    return f.appendUpdate(signed, [
      { num: numberRef, body: '0' },
      { num: page.ref.objectNumber, body: f.serialize(rewritten) },
    ]);
  }

  it('an object rewritten with its keys in another order, hex strings and indirect numbers is no change', async () => {
    const s = first(await validate(await rewritePageEqually((await f.basePdf()).bytes)));
    expect(s.indication, JSON.stringify(s.modifications)).to.equal('TOTAL_PASSED');
    expect(s.modifications.filter((m) => m.kind === 'page')).to.deep.equal([]);
  });

  it("a page's /Annots moved into a new indirect array with the old widgets plus a new one is allowed", async () => {
    const once = await sign((await f.basePdf()).bytes);
    const twice = await sign(once, { indirectAnnots: true });
    const r = await validate(twice);
    expect(r.signatures.map((s) => s.indication)).to.deep.equal(['TOTAL_PASSED', 'TOTAL_PASSED']);
    const kinds = first(r).modifications.map((m) => [m.kind, m.change, m.allowed]);
    expect(kinds).to.deep.include(['annots-array', 'added', true]);
  });

  it('annotations added after an approval signature are a warning, not a failure (DSS default policy)', async () => {
    const s = first(await validate(await tamper.shadowHide(await sign((await f.basePdf()).bytes))));
    expect(s.indication).to.equal('TOTAL_PASSED');
    expect(s.warnings.map((w) => w.code)).to.include('ANNOTATIONS_AFTER_SIGNING');
    expect(s.modifications.filter((m) => m.kind === 'annotation')).to.have.length(1);
  });

  it('the same annotation after a DocMDP P=2 certification signature fails as SHADOW_HIDE', async () => {
    const certified = await sign((await f.basePdf()).bytes, { docMdpP: 2 });
    const s = first(await validate(await tamper.shadowHide(certified)));
    expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_FAILED', 'FORMAT_FAILURE']);
    expect(
      s.modifications.filter((m) => !m.allowed).map((m) => [m.kind, m.attack]),
    ).to.deep.include(['annotation', 'SHADOW_HIDE']);
  });

  it('DocMDP P=1: the certified document alone passes, any later revision fails it', async () => {
    const certified = await sign((await f.basePdf()).bytes, { docMdpP: 1 });
    expect(first(await validate(certified)).indication).to.equal('TOTAL_PASSED');
    const r = await validate(await sign(certified));
    const s = first(r);
    expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_FAILED', 'FORMAT_FAILURE']);
    expect(codes(s)).to.include('CERTIFIED_NO_CHANGES');
    expect(s.modifications.every((m) => !m.allowed)).to.equal(true);
  });

  /** A one-page PDF with a filled text field (field with one widget kid, as pdf-lib makes it). */
  async function formPdf(): Promise<Uint8Array> {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    const font = await doc.embedFont(StandardFonts.Helvetica);
    page.drawText('Ho ten nguoi nhan:', { x: 50, y: 760, size: 12, font });
    const field = doc.getForm().createTextField('recipient');
    field.setText('Nguyen Van A');
    field.addToPage(page, { x: 200, y: 750, width: 200, height: 24 });
    return doc.save({ useObjectStreams: false });
  }

  /** A later revision gives the widget a new appearance showing `shown`; the value is set to `value` when given. */
  async function repaint(bytes: Uint8Array, shown: string, value?: string): Promise<Uint8Array> {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    const widgetRef = doc.getPage(0).node.lookup(PDFName.of('Annots'), PDFArray).get(0) as PDFRef;
    const widget = doc.context.lookup(widgetRef, PDFDict).clone(doc.context);
    const apNum = doc.context.largestObjectNumber + 1;
    const content = `/Tx BMC BT /Helv 12 Tf 2 6 Td (${shown}) Tj ET EMC`;
    widget.set(PDFName.of('AP'), doc.context.obj({ N: PDFRef.of(apNum) }));
    const objects: f.NewObject[] = [
      {
        num: apNum,
        body: `<< /Type /XObject /Subtype /Form /BBox [0 0 200 24] /Length ${content.length} >>\nstream\n${content}\nendstream`,
      },
      { num: widgetRef.objectNumber, body: f.serialize(widget) },
    ];
    if (value !== undefined) {
      const parentRef = widget.get(PDFName.of('Parent')) as PDFRef;
      const parent = doc.context.lookup(parentRef, PDFDict).clone(doc.context);
      parent.set(PDFName.of('V'), PDFHexString.fromText(value));
      objects.push({ num: parentRef.objectNumber, body: f.serialize(parent) });
    }
    return f.appendUpdate(bytes, objects);
  }

  it('DSS-2236 "replace": a field appearance changed without its value → TOTAL_FAILED SHADOW_REPLACE', async () => {
    const signed = await sign(await formPdf());
    const s = first(await validate(await repaint(signed, 'Tran Van Ke Gian')));
    expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_FAILED', 'FORMAT_FAILURE']);
    expect(s.modifications.filter((m) => !m.allowed).map((m) => [m.kind, m.attack])).to.deep.equal([
      ['form-widget', 'SHADOW_REPLACE'],
    ]);
  });

  it('a real fill-in (value and appearance together) stays allowed', async () => {
    const signed = await sign(await formPdf());
    const s = first(await validate(await repaint(signed, 'Le Thi B', 'Le Thi B')));
    expect(s.indication, JSON.stringify(s.modifications)).to.equal('TOTAL_PASSED');
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';
import { corpusBytes } from '../../support/corpus.js';
import { nssDatabase, P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { signerFromPkcs12 } from '../../../server/src/lib/cms/index.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import { pdfsig, pdfsigBlocks, qpdfCheck } from './validators.js';

describe('signing a file that another tool already signed', function () {
  this.timeout(60_000);

  it('keeps an @signpdf adbe.pkcs7.detached signature valid and adds ours after it', async () => {
    const pki = testPki();
    const pdfDoc = await PDFDocument.load(await corpusBytes('letter-gs'));
    pdflibAddPlaceholder({ pdfDoc, reason: 'first', contactInfo: '', name: '', location: '' });
    const foreign = await new SignPdf().sign(
      Buffer.from(await pdfDoc.save({ useObjectStreams: false })),
      new P12Signer(readFileSync(pki.rsa.p12Path), { passphrase: P12_PASSWORD }),
    );
    const ours = await signPdf(foreign, {
      signer: signerFromPkcs12(readFileSync(pki.ec.p12Path), P12_PASSWORD),
    });
    const blocks = pdfsigBlocks(pdfsig(ours, nssDatabase(pki)));
    expect(blocks).to.have.length(2);
    expect(blocks[0]).to.include('adbe.pkcs7.detached').and.include('Signature is Valid');
    expect(blocks[1])
      .to.include('ETSI.CAdES.detached')
      .and.include('Signature is Valid')
      .and.include('Total document signed');
    expect(qpdfCheck(ours).status).to.equal(0);
    const names = blocks.map((b) => /Signature Field Name: (.*)/.exec(b)?.[1]);
    expect(names[0]).to.not.equal(names[1]);
  });
});

import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusBytes } from '../../support/corpus.js';
import { nssDatabase, P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { signerFromPkcs12 } from '../../../server/src/lib/cms/index.js';
import { appearanceFactory, signPdf } from '../../../server/src/lib/pades/index.js';
import { pdfsig, pdfsigBlocks, qpdfCheck, run, withTempDir } from './validators.js';
import { ringPng } from './png.js';

function tool(cmd: string, args: (file: string) => string[], pdf: Uint8Array): string {
  return withTempDir((dir) => {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    return run(cmd, args(file)).out;
  });
}

describe('Decree 30 visible appearances', function () {
  this.timeout(60_000);
  const signer = (w: 'rsa' | 'rsa2') =>
    signerFromPkcs12(readFileSync(testPki()[w].p12Path), P12_PASSWORD);

  it('copy: number/notation and ISO time (+07:00) in Tinos at the top right of page 1, extractable', async () => {
    const signingTime = new Date('2026-01-05T02:30:15Z');
    const signed = await signPdf(await corpusBytes('letter-classic-1.4'), {
      signer: signer('rsa2'),
      signingTime,
      appearance: appearanceFactory({
        kind: 'copy',
        numberNotation: 'Số: 123/UBND-VP — sao y điện tử',
      }),
    });
    // crop to the top-right quarter so the letter's own text does not count
    const text = tool(
      'pdftotext',
      (f) => ['-f', '1', '-l', '1', '-x', '300', '-y', '0', '-W', '300', '-H', '120', f, '-'],
      signed,
    );
    expect(text).to.include('Số: 123/UBND-VP — sao y điện tử');
    expect(text).to.include('2026-01-05T09:30:15+07:00');
    expect(tool('pdffonts', (f) => [f], signed)).to.match(
      /Tinos-Regular\S*\s+CID TrueType\s+Identity-H\s+yes/,
    );
    const [block] = pdfsigBlocks(pdfsig(signed, nssDatabase(testPki())));
    expect(block).to.include('Signature is Valid').and.include('Total document signed');
    expect(qpdfCheck(signed).status).to.equal(0);
  });

  it('signer then seal: images in the widgets, both signatures valid', async () => {
    const signature = ringPng(240, 100, [0, 0, 200]);
    const seal = ringPng(120, 120, [220, 0, 0]);
    const leader = await signPdf(await corpusBytes('letter-gs'), {
      signer: signer('rsa'),
      appearance: appearanceFactory({
        kind: 'signer',
        signatureImage: signature,
        box: [340, 520, 160, 60],
      }),
    });
    const sealed = await signPdf(leader, {
      signer: signer('rsa2'),
      appearance: appearanceFactory({
        kind: 'seal',
        sealImage: seal,
        signatureImage: signature,
        box: [300, 500, 200, 90],
      }),
    });
    const images = tool('pdfimages', (f) => ['-list', f], sealed);
    expect(images.split('\n').filter((l) => /^\s*1\s+\d+\s+image\b/.test(l))).to.have.length(3); // signature twice + seal
    expect(Buffer.from(sealed).toString('latin1')).to.match(/\/Rect \[ 300 500 500 590 \]/);
    const blocks = pdfsigBlocks(pdfsig(sealed, nssDatabase(testPki())));
    expect(blocks).to.have.length(2);
    for (const b of blocks)
      expect(b).to.include('Signature is Valid').and.include('Certificate is Trusted');
    expect(qpdfCheck(sealed).status).to.equal(0);
  });

  it('rejects an appearance image that is not a PNG', async () => {
    const err = await signPdf(await corpusBytes('letter-gs'), {
      signer: signer('rsa'),
      appearance: appearanceFactory({ kind: 'signer', signatureImage: Buffer.from('GIF89a') }),
    }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'PDF_APPEARANCE');
  });
});

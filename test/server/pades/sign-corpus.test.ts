import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { corpus, corpusBytes, SIGNABLE, type CorpusName } from '../../support/corpus.js';
import { nssDatabase, P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { signerFromPkcs12, type SignatureScheme } from '../../../server/src/lib/cms/index.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import { opensslCmsVerify, pdfsig, pdfsigBlocks, qpdfCheck, rawSignatures } from './validators.js';

const ALGORITHMS: SignatureScheme[] = ['RSA-PKCS1', 'RSA-PSS', 'ECDSA'];

function expectAllValid(signed: Uint8Array, count: number): void {
  const pki = testPki();
  const blocks = pdfsigBlocks(pdfsig(signed, nssDatabase(pki)));
  expect(blocks).to.have.length(count);
  for (const block of blocks) {
    expect(block).to.include('Signature is Valid');
    expect(block).to.include('Certificate is Trusted');
  }
  expect(blocks.at(-1)).to.include('Total document signed');
  const raws = rawSignatures(signed);
  expect(raws).to.have.length(count);
  for (const raw of raws)
    expect(opensslCmsVerify(raw, pki.rootPath)).to.include('Verification successful');
  const check = qpdfCheck(signed);
  expect(check.status, check.out).to.equal(0);
}

describe('signPdf B-B on the real-world corpus', function () {
  this.timeout(300_000);
  let names: CorpusName[] = [];

  before(async () => {
    const available = new Set((await corpus()).map((e) => e.name));
    names = SIGNABLE.filter((n) => available.has(n));
  });

  for (const name of SIGNABLE) {
    for (const algorithm of ALGORITHMS) {
      it(`${name} with ${algorithm}: pdfsig, openssl cms and qpdf accept it`, async function () {
        expect(
          names,
          `${name} missing from the corpus: are ghostscript, qpdf and LibreOffice installed?`,
        ).to.include(name);
        const pki = testPki();
        const identity = algorithm === 'ECDSA' ? pki.ec : pki.rsa;
        const signer = signerFromPkcs12(readFileSync(identity.p12Path), P12_PASSWORD, algorithm);
        const original = await corpusBytes(name);
        const signed = await signPdf(original, {
          signer,
          reason: 'Phê duyệt văn bản',
          location: 'Thanh Hóa',
        });
        expect(
          Buffer.from(signed.subarray(0, original.length)).equals(Buffer.from(original)),
        ).to.equal(true);
        expectAllValid(signed, 1);
      });
    }
  }
});

export { expectAllValid };

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { corpusBytes } from '../../support/corpus.js';
import { P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { signerFromPkcs12, type CmsSigner } from '../../../server/src/lib/cms/index.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import { LibraryError } from '../../../server/src/errors/library-error.js';

async function failure(pdf: Uint8Array, signer: CmsSigner): Promise<LibraryError> {
  const err = await signPdf(pdf, { signer }).catch((e: unknown) => e);
  expect(err).to.be.instanceOf(LibraryError);
  return err as LibraryError;
}

describe('unusable input gives the right LibraryError', function () {
  this.timeout(60_000);
  const signer = (): CmsSigner =>
    signerFromPkcs12(readFileSync(testPki().rsa.p12Path), P12_PASSWORD);

  it('0-byte file → PDF_EMPTY', async () => {
    expect((await failure(new Uint8Array(), signer())).code).to.equal('PDF_EMPTY');
  });

  it('not a PDF → PDF_NOT_PDF', async () => {
    expect((await failure(Buffer.from('<html>hello</html>'), signer())).code).to.equal(
      'PDF_NOT_PDF',
    );
  });

  it('truncated PDF → PDF_TRUNCATED', async () => {
    const pdf = await corpusBytes('letter-gs');
    expect((await failure(pdf.subarray(0, Math.floor(pdf.length / 2)), signer())).code).to.equal(
      'PDF_TRUNCATED',
    );
  });

  it('encrypted with a user password → PDF_ENCRYPTED, and so is an empty-user-password file', async () => {
    for (const name of ['encrypted-user-password', 'encrypted-empty-user'] as const) {
      const err = await failure(await corpusBytes(name), signer());
      expect(err.code).to.equal('PDF_ENCRYPTED');
      expect(err.message).to.match(/qpdf --decrypt/);
    }
  });

  it('wrong PKCS#12 password → P12_BAD_PASSWORD', () => {
    expect(() => signerFromPkcs12(readFileSync(testPki().rsa.p12Path), 'wrong'))
      .to.throw(LibraryError)
      .with.property('code', 'P12_BAD_PASSWORD');
  });

  it('garbage instead of a PKCS#12 → P12_INVALID', () => {
    expect(() => signerFromPkcs12(Buffer.from('nope'), 'x'))
      .to.throw(LibraryError)
      .with.property('code', 'P12_INVALID');
  });

  it('an algorithm that does not fit the key → CMS_KEY_MISMATCH', () => {
    expect(() => signerFromPkcs12(readFileSync(testPki().ec.p12Path), P12_PASSWORD, 'RSA-PSS'))
      .to.throw(LibraryError)
      .with.property('code', 'CMS_KEY_MISMATCH');
  });
});

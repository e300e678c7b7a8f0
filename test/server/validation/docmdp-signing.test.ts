/**
 * Issue #18, item 5: a document certified with DocMDP P=1 (no changes allowed) is not signed
 * again: the library refuses with PDF_CERTIFIED_NO_CHANGES, the CLI exits 2 with one line, and
 * nothing is written. P=2 still allows a further signature.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { keySigner } from '../../../server/src/lib/cms/index.js';
import { LibraryError } from '../../../server/src/errors/library-error.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import { P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { runCliSync } from '../../support/process.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as f from './fixtures.js';

describe('signing a certified document: DocMDP P=1 refuses', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  let dir: string;
  before(() => {
    pki = createValidationPki();
    dir = mkdtempSync(join(tmpdir(), 'docmdp-'));
  });
  after(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const certified = async (p: number): Promise<Uint8Array> =>
    f.addSignature((await f.basePdf()).bytes, {
      signer: pki.signerRsa,
      chain: [pki.ca],
      docMdpP: p,
    });
  const sign = (pdf: Uint8Array): Promise<Uint8Array> =>
    signPdf(pdf, {
      signer: keySigner(createPrivateKey(readFileSync(pki.signerEc.keyPath)), [
        pki.signerEc.certDer,
        pki.ca.certDer,
      ]),
    });

  it('signPdf on a P=1 certified document → LibraryError PDF_CERTIFIED_NO_CHANGES', async () => {
    const err = await sign(await certified(1)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(LibraryError);
    expect((err as LibraryError).code).to.equal('PDF_CERTIFIED_NO_CHANGES');
  });

  it('signPdf on a P=2 certified document still signs', async () => {
    const pdf = await certified(2);
    const out = await sign(pdf);
    expect(out.length).to.be.greaterThan(pdf.length);
  });

  it('lienthong sign on a P=1 certified document: exit 2, one line naming the code, no output file', async () => {
    const input = join(dir, 'certified.pdf');
    const output = join(dir, 'out.pdf');
    writeFileSync(input, await certified(1));
    const r = runCliSync([
      'sign',
      '--in',
      input,
      '--out',
      output,
      '--p12',
      testPki().rsa.p12Path,
      '--password',
      P12_PASSWORD,
    ]);
    expect(r.status, r.stderr).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0]).to.include('PDF_CERTIFIED_NO_CHANGES');
    expect(existsSync(output)).to.equal(false);
  });
});

import { expect } from 'chai';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_DIR, corpus } from '../../support/corpus.js';
import { nssDatabase, P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { runCliInPty, runCliSync } from '../../support/process.js';
import { pdfsig, pdfsigBlocks, qpdfCheck } from '../pades/validators.js';

/** The signed copy is a valid, trusted PAdES signature for poppler and a sound file for qpdf. */
function expectSigned(file: string): void {
  const bytes = readFileSync(file);
  const [block] = pdfsigBlocks(pdfsig(bytes, nssDatabase(testPki())));
  expect(block, file).to.include('Signature is Valid').and.include('Certificate is Trusted');
  const q = qpdfCheck(bytes);
  expect(q.status, q.out).to.equal(0);
}

/** `lienthong sign` over many inputs into --out-dir, and its password prompt. */
describe('lienthong sign FILES/FOLDERS… --out-dir (batch sealing)', function () {
  this.timeout(240_000);
  let dir: string;
  const at = (...p: string[]) => join(dir, ...p);
  const key = () => ['--p12', testPki().rsa.p12Path];

  before(async () => {
    await corpus();
    dir = mkdtempSync(join(tmpdir(), 'lt-sign-batch-'));
    mkdirSync(at('in', 'sub'), { recursive: true });
    mkdirSync(at('elsewhere'));
    copyFileSync(join(CORPUS_DIR, 'letter-gs.pdf'), at('in', 'a.pdf'));
    copyFileSync(join(CORPUS_DIR, 'letter-gs.pdf'), at('in', 'sub', 'b.pdf'));
    writeFileSync(at('in', 'readme.txt'), 'not a PDF name: left alone');
    copyFileSync(join(CORPUS_DIR, 'letter-gs.pdf'), at('elsewhere', 'c.pdf'));
    copyFileSync(join(CORPUS_DIR, 'letter-gs.pdf'), at('elsewhere', 'a.pdf'));
    writeFileSync(at('elsewhere', 'broken.pdf'), 'hello');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a folder (recursively) and a file into --out-dir, same names and layout; pdfsig and qpdf accept every output', () => {
    const out = at('out');
    const r = runCliSync([
      'sign',
      at('in'),
      at('elsewhere', 'c.pdf'),
      '--out-dir',
      out,
      ...key(),
      '--password',
      P12_PASSWORD,
    ]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Đã ký 3/3 tệp');
    expect(r.stdout.match(/^đã ký /gm)).to.have.length(3);
    for (const file of [join(out, 'a.pdf'), join(out, 'sub', 'b.pdf'), join(out, 'c.pdf')])
      expectSigned(file);
    expect(existsSync(join(out, 'readme.txt'))).to.equal(false);
    // the inputs are untouched
    expect(
      readFileSync(at('in', 'a.pdf')).equals(readFileSync(join(CORPUS_DIR, 'letter-gs.pdf'))),
    ).to.equal(true);
  });

  it('a file that cannot be signed: its own line on stderr, the others still signed, exit 2', () => {
    const out = at('out-partial');
    const r = runCliSync([
      'sign',
      at('elsewhere', 'broken.pdf'),
      at('elsewhere', 'c.pdf'),
      '--out-dir',
      out,
      ...key(),
      '--password',
      P12_PASSWORD,
    ]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/broken\.pdf: PDF_NOT_PDF/);
    expect(r.stdout).to.include('Đã ký 1/2 tệp');
    expectSigned(join(out, 'c.pdf'));
    expect(existsSync(join(out, 'broken.pdf'))).to.equal(false);
  });

  it('refuses before signing anything when two inputs would land on the same output, or an output on its input', () => {
    const clash = runCliSync([
      'sign',
      at('in', 'a.pdf'),
      at('elsewhere', 'a.pdf'),
      '--out-dir',
      at('out-clash'),
      ...key(),
      '--password',
      P12_PASSWORD,
    ]);
    expect(clash.status).to.equal(2);
    expect(clash.stderr).to.include('CLI_BAD_OPTIONS');
    expect(existsSync(at('out-clash'))).to.equal(false);
    const self = runCliSync([
      'sign',
      at('elsewhere', 'c.pdf'),
      '--out-dir',
      at('elsewhere'),
      ...key(),
      '--password',
      P12_PASSWORD,
    ]);
    expect(self.status).to.equal(2);
    expect(self.stderr).to.include('CLI_BAD_OPTIONS');
    expect(
      readFileSync(at('elsewhere', 'c.pdf')).equals(
        readFileSync(join(CORPUS_DIR, 'letter-gs.pdf')),
      ),
    ).to.equal(true);
  });

  it('without --password and without a terminal: one clear line, exit 2, nothing written', () => {
    const r = runCliSync(['sign', '--in', at('in', 'a.pdf'), '--out', at('no-pw.pdf'), ...key()]);
    expect(r.status).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.include('CLI_NO_PASSWORD').and.include('--password');
    expect(existsSync(at('no-pw.pdf'))).to.equal(false);
  });

  it('without --password on a terminal: asks once, without echo, then signs the whole batch', async () => {
    const out = at('out-prompted');
    const r = await runCliInPty(['sign', at('in'), '--out-dir', out, ...key()], (shown) =>
      shown.includes('Mật khẩu PKCS#12:') ? `${P12_PASSWORD}\r` : undefined,
    );
    expect(r.status, r.output).to.equal(0);
    expect(r.output.split('Mật khẩu PKCS#12:')).to.have.length(2); // asked exactly once
    expect(r.output).not.to.include(P12_PASSWORD); // what was typed never reached the screen
    expect(r.output).to.include('Đã ký 2/2 tệp');
    expectSigned(join(out, 'a.pdf'));
    expectSigned(join(out, 'sub', 'b.pdf'));
  });

  it('a wrong password typed at the prompt: exit 2 with the PKCS#12 error, nothing written', async () => {
    const r = await runCliInPty(
      ['sign', '--in', at('in', 'a.pdf'), '--out', at('wrong.pdf'), ...key()],
      (shown) => (shown.includes('Mật khẩu PKCS#12:') ? 'sai-mat-khau\r' : undefined),
    );
    expect(r.status).to.equal(2);
    expect(r.output).to.include('P12_BAD_PASSWORD');
    expect(r.output).not.to.include('sai-mat-khau');
    expect(existsSync(at('wrong.pdf'))).to.equal(false);
  });
});

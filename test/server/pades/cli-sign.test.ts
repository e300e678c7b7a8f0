import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_DIR, corpus } from '../../support/corpus.js';
import { nssDatabase, P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import { runCliSync } from '../../support/process.js';
import { pdfsig, pdfsigBlocks } from './validators.js';

/** `lienthong sign ARGS` in a child process, as an operator runs it. */
const cli = (args: string[]) => runCliSync(['sign', ...args]);

describe('lienthong sign (CLI)', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    await corpus();
    dir = mkdtempSync(join(tmpdir(), 'lienthong-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signs with a p12 and exits 0; pdfsig accepts the output', () => {
    const out = join(dir, 'signed.pdf');
    const r = cli([
      '--in',
      join(CORPUS_DIR, 'letter-gs.pdf'),
      '--out',
      out,
      '--p12',
      testPki().rsa.p12Path,
      '--password',
      P12_PASSWORD,
      '--reason',
      'Phê duyệt',
      '--location',
      'Thanh Hóa',
      '--certify',
    ]);
    expect(r.status, r.stderr).to.equal(0);
    const [block] = pdfsigBlocks(pdfsig(readFileSync(out), nssDatabase(testPki())));
    expect(block).to.include('Signature is Valid').and.include('Certificate is Trusted');
  });

  it('exits 2 with one line for a wrong password, a non-PDF and a missing file', () => {
    const notPdf = join(dir, 'x.pdf');
    writeFileSync(notPdf, 'hello');
    const cases: [string[], string][] = [
      [['--in', join(CORPUS_DIR, 'letter-gs.pdf'), '--password', 'wrong'], 'P12_BAD_PASSWORD'],
      [['--in', notPdf, '--password', P12_PASSWORD], 'PDF_NOT_PDF'],
      [['--in', join(dir, 'missing.pdf'), '--password', P12_PASSWORD], 'INPUT_UNREADABLE'],
    ];
    for (const [args, code] of cases) {
      const r = cli([...args, '--out', join(dir, 'o.pdf'), '--p12', testPki().rsa.p12Path]);
      expect(r.status, r.stderr).to.equal(2);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.include(code);
    }
  });
});

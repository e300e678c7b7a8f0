import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ZValidationReport } from '../../../server/src/lib/validation/index.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as tamper from '../../support/tamper.js';
import * as f from './fixtures.js';

const RUNNER = join(import.meta.dirname, 'verify-runner.ts');

function verify(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', RUNNER, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: verify', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  let dir: string;
  let good: string;
  let bad: string;

  before(async () => {
    pki = createValidationPki();
    dir = mkdtempSync(join(tmpdir(), 'lt-verify-'));
    const signed = await f.addSignature((await f.basePdf()).bytes, {
      signer: pki.signerRsa,
      chain: [pki.ca],
      revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
    });
    good = join(dir, 'good.pdf');
    bad = join(dir, 'bad.pdf');
    writeFileSync(good, signed);
    writeFileSync(bad, await tamper.shadowReplace(signed));
    writeFileSync(join(dir, 'junk.pdf'), 'not a pdf');
  });
  after(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('valid file: exit 0, Vietnamese text by default', () => {
    const r = verify(good, '--trust', pki.root.certPath, '--offline');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('HỢP LỆ').and.include('Nguyen Van A').and.include('Chữ ký hợp lệ.');
  });

  it('--lang en and a trust folder', () => {
    const trustDir = join(dir, 'trust');
    mkdirSync(trustDir);
    writeFileSync(join(trustDir, 'root.pem'), pki.root.certPem);
    writeFileSync(join(trustDir, 'root.crl.pem'), 'not a certificate');
    const r = verify(good, '--trust', trustDir, '--offline', '--lang', 'en');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('VALID').and.include('The signature is valid.');
  });

  it('--json prints a schema-valid report', () => {
    const r = verify(good, '--trust', pki.root.certPath, '--offline', '--json');
    expect(r.status).to.equal(0);
    const report = ZValidationReport.parse(JSON.parse(r.stdout));
    expect(report.signatures[0]?.indication).to.equal('TOTAL_PASSED');
  });

  it('tampered file: exit 1 and the modification is printed', () => {
    const r = verify(bad, '--trust', pki.root.certPath, '--offline');
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include('KHÔNG HỢP LỆ').and.include('SHADOW_REPLACE');
  });

  it('untrusted root: exit 1', () => {
    expect(verify(good, '--trust', pki.otherRoot.certPath, '--offline').status).to.equal(1);
  });

  it('unusable input: exit 2 with the error code', () => {
    const r = verify(join(dir, 'junk.pdf'), '--trust', pki.root.certPath, '--offline');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('PDF_UNREADABLE');
    expect(verify(join(dir, 'missing.pdf'), '--offline').status).to.equal(2);
  });
});

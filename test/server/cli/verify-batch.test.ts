import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZValidationReport } from '../../../server/src/lib/validation/index.js';
import { runCliInPty, runCliSync } from '../../support/process.js';
import * as tamper from '../../support/tamper.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as f from '../validation/fixtures.js';

/** `lienthong verify` over many files in one call, as the compiled CLI a user runs. */
describe('lienthong verify FILE|DIR… (many files per call)', function () {
  this.timeout(180_000);
  let pki: ValidationPki;
  let dir: string;
  let docs: string;
  const at = (...p: string[]) => join(docs, ...p);
  const trust = () => ['--trust', pki.root.certPath, '--offline'];

  before(async () => {
    pki = createValidationPki();
    dir = mkdtempSync(join(tmpdir(), 'lt-verify-batch-'));
    docs = join(dir, 'docs');
    mkdirSync(join(docs, 'sub'), { recursive: true });
    const sign = async () =>
      f.addSignature((await f.basePdf()).bytes, {
        signer: pki.signerRsa,
        chain: [pki.ca],
        revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
      });
    const signed = await sign();
    writeFileSync(at('a-good.pdf'), signed);
    writeFileSync(at('b-tampered.pdf'), await tamper.shadowReplace(signed));
    writeFileSync(at('c-junk.pdf'), 'not a pdf at all');
    writeFileSync(at('notes.txt'), 'not a PDF name: never looked at');
    writeFileSync(at('sub', 'd-good.PDF'), await sign());
    mkdirSync(join(dir, 'empty'));
  });
  after(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a folder: one line per *.pdf (recursively, in name order), the tally, exit 2 for the unreadable one', () => {
    const r = runCliSync(['verify', docs, ...trust()]);
    expect(r.status, r.stderr).to.equal(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.have.length(5);
    expect(lines[0]).to.match(/^HỢP LỆ\s+\S*a-good\.pdf — 1 chữ ký: Nguyen Van A$/);
    expect(lines[1]).to.match(/^KHÔNG HỢP LỆ\s+\S*b-tampered\.pdf — .*SHADOW_REPLACE/);
    expect(lines[2]).to.match(/^KHÔNG ĐỌC ĐƯỢC\s+\S*c-junk\.pdf — PDF_UNREADABLE: /);
    expect(lines[3]).to.match(/^HỢP LỆ\s+\S*sub\/d-good\.PDF — /);
    expect(lines[4]).to.equal(
      'Tổng cộng 4 tệp: 2 hợp lệ, 1 không hợp lệ, 0 chưa xác định, 1 không đọc được.',
    );
    expect(r.stdout).not.to.include('notes.txt');
  });

  it('exit 1 when some fail but all were read, 0 when every file passes (files and folders mixed)', () => {
    const failing = runCliSync(['verify', at('a-good.pdf'), at('b-tampered.pdf'), ...trust()]);
    expect(failing.status, failing.stderr).to.equal(1);
    expect(failing.stdout).to.include('Tổng cộng 2 tệp: 1 hợp lệ, 1 không hợp lệ');
    const passing = runCliSync(['verify', at('a-good.pdf'), at('sub'), ...trust(), '--lang', 'en']);
    expect(passing.status, passing.stderr).to.equal(0);
    expect(passing.stdout).to.include(
      'Total 2 files: 2 valid, 0 invalid, 0 indeterminate, 0 unreadable.',
    );
  });

  it('--json: JSON Lines, one schema-valid report per file with its name; the tally on stderr', () => {
    const r = runCliSync(['verify', docs, ...trust(), '--json']);
    expect(r.status).to.equal(2);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => String(l.file).slice(docs.length + 1))).to.deep.equal([
      'a-good.pdf',
      'b-tampered.pdf',
      'c-junk.pdf',
      'sub/d-good.PDF',
    ]);
    expect(ZValidationReport.parse(lines[0]).document.allValid).to.equal(true);
    expect(ZValidationReport.parse(lines[1]).signatures[0]?.indication).to.equal('TOTAL_FAILED');
    expect((lines[2] as { error: { code: string } }).error.code).to.equal('PDF_UNREADABLE');
    expect(ZValidationReport.parse(lines[3]).document.allValid).to.equal(true);
    expect(r.stderr).to.include(
      'Tổng cộng 4 tệp: 2 hợp lệ, 1 không hợp lệ, 0 chưa xác định, 1 không đọc được.',
    );
  });

  it('a folder without any PDF is an error (exit 2), not an empty success', () => {
    const r = runCliSync(['verify', join(dir, 'empty'), ...trust()]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('không tìm thấy tệp PDF nào');
  });

  it('no progress bar when stderr is not a terminal', () => {
    const r = runCliSync(['verify', at('a-good.pdf'), at('sub'), ...trust()]);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.include('Tổng cộng 2 tệp: 2 hợp lệ');
    expect(r.stderr).to.equal('');
    expect(r.stdout).not.to.include('\r');
  });

  it('a progress bar on stderr when it is a terminal', async () => {
    const r = await runCliInPty(['verify', docs, ...trust()]);
    expect(r.status).to.equal(2);
    expect(r.output).to.include(`verify [${'.'.repeat(30)}] 0/4 0%`);
    expect(r.output).to.include('verify [##############################] 4/4 100%');
    expect(r.output).to.include('Tổng cộng 4 tệp');
  });
});

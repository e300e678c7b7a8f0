/**
 * Issue #18, item 6: pdf-lib's parser warnings ("Trying to parse invalid object", "Invalid
 * object ref") go to the debug log (NODE_DEBUG=lienthong:pdf), never to the terminal of the CLI.
 * Both files below make pdf-lib warn while parsing.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { runCliSync } from '../../support/process.js';

const CORPUS = '../shared/conformance';
const DAMAGED_SIGNED = `${CORPUS}/signed/dss_modified_after_signature.pdf`;
const DAMAGED_UNSIGNED = `${CORPUS}/unsigned/pdfjs_Brotli-Prototype-FileA.pdf`;
const PARSER_NOISE = /Trying to parse|Invalid object ref|Removing parsed object|pdf-lib/;

describe('pdf: parser warnings stay out of the terminal', function () {
  this.timeout(60_000);

  it('lienthong verify of a file pdf-lib warns about: the report on stdout, nothing on stderr', () => {
    const r = runCliSync(['verify', '--offline', DAMAGED_SIGNED]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stdout).to.include('KHÔNG HỢP LỆ (FORMAT_FAILURE)');
    expect(r.stderr).to.equal('');
  });

  it('lienthong verify of a damaged unsigned file: at most one line on stderr, no parser noise', () => {
    const r = runCliSync(['verify', '--offline', DAMAGED_UNSIGNED]);
    expect(r.stderr).not.to.match(PARSER_NOISE);
    expect(r.stderr.trim().split('\n').filter(Boolean).length).to.be.at.most(1);
  });

  it('with NODE_DEBUG=lienthong:pdf the same warnings are in the debug log', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/lienthong.mjs', 'verify', '--offline', DAMAGED_SIGNED],
      {
        env: { ...process.env, NODE_DEBUG: 'lienthong:pdf' },
        encoding: 'utf8',
      },
    );
    expect(r.stderr).to.match(/LIENTHONG:PDF \d+: pdf-lib: Trying to parse invalid object/);
  });
});

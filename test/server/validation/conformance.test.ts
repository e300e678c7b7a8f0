/**
 * Conformance suite (issue #18): PDFs other people made, from esig/dss, pyHanko, pypdf, qpdf and
 * pdf.js, read from ../shared/conformance (README there).
 *
 * - signed/: every file gets the verdict the peer's own tests expect (expected.tsv: intact →
 *   no TOTAL_FAILED; failed → at least one TOTAL_FAILED; not-passed → not all TOTAL_PASSED),
 *   in-process and through `lienthong verify` in one batch, without a stack trace.
 * - unsigned/: every usable file is signed B-B with a visible signature, then sealed at B-LTA,
 *   and the result passes pdfsig, `openssl cms -verify`, `qpdf --check` and `lienthong verify
 *   --offline` trusting only the root. The three damaged files are refused by `lienthong sign`
 *   with one line and exit 2.
 * Speed ("within 3 s per file") is measured by `npm run bench -- conformance`, not here.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { expect } from 'chai';
import { keySigner } from '../../../server/src/lib/cms/index.js';
import { LibraryError } from '../../../server/src/errors/library-error.js';
import { signPdf, type PadesLevel } from '../../../server/src/lib/pades/index.js';
import { appearanceFactory } from '../../../server/src/lib/pades/appearance.js';
import { validatePdf, type TValidationReport } from '../../../server/src/lib/validation/index.js';
import { P12_PASSWORD, nssTrusting, testPki } from '../../support/openssl-pki.js';
import { runCliSync } from '../../support/process.js';
import {
  createValidationPki,
  type PkiCert,
  type ValidationPki,
} from '../../support/validation-pki.js';
import {
  opensslCmsVerify,
  pdfsig,
  pdfsigBlocks,
  qpdfCheck,
  rawSignatures,
  run,
} from '../pades/validators.js';

const CORPUS = '../shared/conformance';
/** Damaged beyond use (qpdf says so too): a clean refusal is the right answer. */
/** Pages too small for a legible visible signature (pypdf's is 4×4 pt): refused, then signed invisibly. */
const TOO_SMALL = new Set(['pypdf_imagemagick-lzw.pdf']);

export const DAMAGED = new Set([
  'dss_EmptyPage-corrupted.pdf',
  'qpdf_deep-pages.pdf',
  'pdfjs_Brotli-Prototype-FileA.pdf',
]);

export type Expectation = 'intact' | 'failed' | 'not-passed';

/** The shared corpus and the files this repository adds to it (NOTICE there), with their sizes. */
export const SIGNED_CORPORA = [
  { dir: CORPUS, files: 42 },
  { dir: 'test/fixtures/conformance', files: 5 },
];

export function expectations(corpus = CORPUS): [string, Expectation, string][] {
  return readFileSync(join(corpus, 'expected.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t') as [string, Expectation, string]);
}

/** Why a report disagrees with the peer's expectation, or null when it agrees. */
export function disagreement(r: TValidationReport, expected: Expectation): string | null {
  const indications = r.signatures.map((s) => s.indication);
  const failed = indications.includes('TOTAL_FAILED');
  if (r.signatures.length === 0) return 'no signature found';
  if (expected === 'intact' && failed) return `false failure: ${indications.join(', ')}`;
  if (expected === 'failed' && !failed) return `false pass: ${indications.join(', ')}`;
  if (expected === 'not-passed' && r.document.allValid) return 'passed a file the peer cannot';
  return null;
}

/** The signatures this suite added: the last three (B-B, B-LTA, document time-stamp). */
const ours = (r: TValidationReport): TValidationReport['signatures'] => r.signatures.slice(-3);

/** A small RGBA PNG (a stroke on transparent background), the visible signature's image. */
function strokePng(w = 120, h = 48): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 4);
    for (let x = 0; x < w; x++)
      if (Math.abs(y - h / 2 - Math.sin(x / 9) * (h / 4)) < 2)
        row.set([20, 40, 200, 255], 1 + x * 4);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('conformance suite: PDFs made by other software', function () {
  this.timeout(600_000);

  for (const corpus of SIGNED_CORPORA)
    describe(`signed files of ${corpus.dir}: the peers’ expected verdicts`, () => {
      const rows = expectations(corpus.dir);

      it(`the corpus is complete (${corpus.files} signed files, each listed once)`, () => {
        expect(rows).to.have.length(corpus.files);
        expect(readdirSync(join(corpus.dir, 'signed')).sort()).to.deep.equal(
          rows.map(([file]) => file).sort(),
        );
      });

      for (const [file, expected, source] of rows) {
        it(`${file}: ${expected} (${source})`, async () => {
          const bytes = readFileSync(join(corpus.dir, 'signed', file));
          let report: TValidationReport;
          try {
            report = await validatePdf(bytes, { trustAnchors: [] });
          } catch (e) {
            // a clear refusal is acceptable where the peer does not pass the file either
            expect(e, (e as Error).stack).to.be.instanceOf(LibraryError);
            expect(expected).to.equal('not-passed');
            return;
          }
          const why = disagreement(report, expected);
          expect(why, JSON.stringify(report.signatures.map((s) => s.messages))).to.equal(null);
        });
      }

      it('lienthong verify --offline --json over the folder: one report per file, no stack trace', () => {
        const r = runCliSync(['verify', '--offline', '--json', join(corpus.dir, 'signed')]);
        expect(r.stderr).not.to.match(/\n\s+at .+:\d+:\d+\)?\n/);
        const lines = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).to.have.length(corpus.files);
        const byFile = new Map(lines.map((l) => [String(l.file).split('/').pop(), l]));
        for (const [file, expected] of rows) {
          const l = byFile.get(file) as (TValidationReport & { error?: unknown }) | undefined;
          expect(l, file).to.not.equal(undefined);
          expect(l?.error, `${file}: ${JSON.stringify(l?.error)}`).to.equal(undefined);
          expect(disagreement(l!, expected), file).to.equal(null);
        }
      });
    });

  describe('unsigned files: signed B-B visibly, sealed at B-LTA, accepted by every tool', () => {
    let pki: ValidationPki;
    let dir: string;
    let rootPath: string;
    let nss: string;
    const usable = readdirSync(join(CORPUS, 'unsigned'))
      .filter((f) => !DAMAGED.has(f))
      .sort();
    const image = strokePng();

    before(() => {
      pki = createValidationPki();
      dir = mkdtempSync(join(tmpdir(), 'conformance-'));
      rootPath = join(dir, 'root.pem');
      writeFileSync(rootPath, pki.root.certPem);
      nss = join(dir, 'nss');
      mkdirSync(nss);
      nssTrusting(nss, rootPath);
      mkdirSync(join(dir, 'out'));
    });
    after(() => {
      pki.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    const sign = (
      pdf: Uint8Array,
      cert: PkiCert,
      level: PadesLevel,
      visible: boolean,
    ): Promise<Uint8Array> =>
      signPdf(pdf, {
        signer: keySigner(createPrivateKey(readFileSync(cert.keyPath)), [
          cert.certDer,
          pki.ca.certDer,
          pki.root.certDer,
        ]),
        level,
        reason: 'Phê duyệt',
        timestamp: async (digest) => pki.timestampToken(digest),
        revocation: async () => ({
          ocsp: [pki.ocspResponse(cert)],
          crls: [pki.caCrl, pki.rootCrl],
        }),
        ...(visible
          ? { appearance: appearanceFactory({ kind: 'signer', signatureImage: image }) }
          : {}),
      });

    /**
     * A page too small for any legible appearance (issue #19): the visible signature is refused
     * with PDF_NO_ROOM naming the page, and the leader signs without an appearance instead.
     */
    async function refusedVisibleThenInvisible(input: Uint8Array): Promise<Uint8Array> {
      const refused = await sign(input, pki.signerRsa, 'B-B', true).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(refused?.code, refused?.message).to.equal('PDF_NO_ROOM');
      expect(refused?.message).to.match(/^Trang 1 \(\d+×\d+ pt\)/);
      return sign(input, pki.signerRsa, 'B-B', false);
    }

    it('the corpus holds 34 unsigned files, 3 of them damaged', () => {
      expect(usable.length + DAMAGED.size).to.equal(34);
    });

    for (const file of usable) {
      it(`${file}: B-B visible + B-LTA seal pass pdfsig, openssl cms, qpdf and our validator`, async () => {
        const input = readFileSync(join(CORPUS, 'unsigned', file));
        const signed = TOO_SMALL.has(file)
          ? await refusedVisibleThenInvisible(input)
          : await sign(input, pki.signerRsa, 'B-B', true);
        const sealed = await sign(signed, pki.signerEc, 'B-LTA', false);
        writeFileSync(join(dir, 'out', file), sealed);

        // pdfsig also lists the file's own empty signature fields (and pdfjs_xfa_filled_imm1344e
        // holds a stale signature of its own): the last three signed blocks are ours
        const blocks = pdfsigBlocks(pdfsig(sealed, nss))
          .filter((b) => b.includes('Signature Validation:'))
          .slice(-3);
        expect(blocks, 'pdfsig: two signatures and a document time-stamp').to.have.length(3);
        for (const b of blocks.slice(0, 2)) {
          expect(b, `pdfsig:\n${b}`).to.include('Signature Validation: Signature is Valid.');
          expect(b, `pdfsig:\n${b}`).to.include('Certificate Validation: Certificate is Trusted.');
        }
        for (const sig of rawSignatures(sealed).slice(-3, -1))
          expect(opensslCmsVerify(sig, rootPath)).to.include('Verification successful');
        // qpdf warns about inputs it had to repair; the signed file must add nothing to that
        const before = qpdfCheck(input);
        const after = qpdfCheck(sealed);
        expect(after.status, after.out).to.be.oneOf(before.status === 0 ? [0] : [0, 3]);

        const report = await validatePdf(sealed, { trustAnchors: [pki.root.certDer] });
        expect(
          ours(report).map((s) => [s.type, s.indication, s.level]),
          JSON.stringify(report.signatures.map((s) => [s.messages, s.modifications])),
        ).to.deep.equal([
          ['SIGNATURE', 'TOTAL_PASSED', 'PAdES-BASELINE-B'],
          ['SIGNATURE', 'TOTAL_PASSED', 'PAdES-BASELINE-LTA'],
          ['DOC_TIMESTAMP', 'TOTAL_PASSED', null],
        ]);
      });
    }

    it('lienthong verify --offline --trust root.pem over all of them: every file passes', () => {
      const outputs = readdirSync(join(dir, 'out'));
      const r = runCliSync([
        'verify',
        '--offline',
        '--json',
        '--trust',
        rootPath,
        join(dir, 'out'),
      ]);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TValidationReport);
      expect(lines).to.have.length(outputs.length);
      const bad = lines.filter((l) => !ours(l).every((s) => s.indication === 'TOTAL_PASSED'));
      expect(bad.map((l) => (l as { file?: string }).file)).to.deep.equal([]);
      expect(outputs.sort(), 'every usable file was signed and sealed').to.deep.equal(usable);
    });

    for (const file of [...DAMAGED].sort()) {
      it(`${file} (damaged): lienthong sign refuses with one line, exit 2`, () => {
        const r = runCliSync([
          'sign',
          '--in',
          join(CORPUS, 'unsigned', file),
          '--out',
          join(dir, `refused-${file}`),
          '--p12',
          testPki().rsa.p12Path,
          '--password',
          P12_PASSWORD,
        ]);
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
        expect(run('ls', [join(dir, `refused-${file}`)]).status).to.not.equal(0);
      });
    }
  });
});

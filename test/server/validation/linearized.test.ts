/**
 * Issue #18, item 3: B-LT/B-LTA signatures of linearized PDFs. The first `startxref … %%EOF` of
 * a linearized file closes its first-page section, which ends before the catalog; the validator
 * took it for a revision and refused the file (PDF_UNREADABLE: no usable document catalog).
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { keySigner } from '../../../server/src/lib/cms/index.js';
import { signPdf, type PadesLevel } from '../../../server/src/lib/pades/index.js';
import { validatePdf } from '../../../server/src/lib/validation/index.js';
import type { Hub } from '../../../server/src/hub.js';
import type { TValidationReport } from '../../../server/src/lib/validation/index.js';
import { startTestHub } from '../../support/hub.js';
import { runCliSync } from '../../support/process.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import { basePdf } from './fixtures.js';

describe('validation: B-LT/B-LTA signatures of linearized PDFs', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  let dir: string;
  before(() => {
    pki = createValidationPki();
    dir = mkdtempSync(join(tmpdir(), 'lt-linearized-'));
  });
  after(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const linearize = (bytes: Uint8Array): Uint8Array => {
    writeFileSync(join(dir, 'in.pdf'), bytes);
    execFileSync('qpdf', ['--linearize', join(dir, 'in.pdf'), join(dir, 'lin.pdf')]);
    return readFileSync(join(dir, 'lin.pdf'));
  };
  const sign = (pdf: Uint8Array, level: PadesLevel): Promise<Uint8Array> =>
    signPdf(pdf, {
      signer: keySigner(createPrivateKey(readFileSync(pki.signerRsa.keyPath)), [
        pki.signerRsa.certDer,
        pki.ca.certDer,
        pki.root.certDer,
      ]),
      level,
      timestamp: async (digest) => pki.timestampToken(digest),
      revocation: async () => ({
        ocsp: [pki.ocspResponse(pki.signerRsa)],
        crls: [pki.caCrl, pki.rootCrl],
      }),
    });

  const inputs: [string, () => Promise<Uint8Array>][] = [
    ['a pdf-lib letter linearized by qpdf', async () => linearize((await basePdf()).bytes)],
    [
      "qpdf's own linearized test file (conformance corpus)",
      async () => readFileSync('../shared/conformance/unsigned/qpdf_lin5.pdf'),
    ],
  ];
  for (const [name, input] of inputs) {
    for (const [level, expected] of [
      ['B-LT', 'PAdES-BASELINE-LT'],
      ['B-LTA', 'PAdES-BASELINE-LTA'],
    ] as const) {
      it(`${name}, ${level} → TOTAL_PASSED at ${expected}`, async () => {
        const pdf = await input();
        expect(Buffer.from(pdf.subarray(0, 1024)).toString('latin1')).to.include('/Linearized');
        const r = await validatePdf(await sign(pdf, level), { trustAnchors: [pki.root.certDer] });
        const s = r.signatures.find((x) => x.type === 'SIGNATURE');
        expect([s?.indication, s?.level], JSON.stringify(s?.messages)).to.deep.equal([
          'TOTAL_PASSED',
          expected,
        ]);
      });
    }
  }

  describe('the same file through lienthong verify and POST /api/v1/public/validations', () => {
    let hub: Hub;
    let file: string;
    before(async () => {
      const trust = join(dir, 'trust');
      execFileSync('mkdir', ['-p', trust]);
      writeFileSync(join(trust, 'root.pem'), pki.root.certPem);
      hub = await startTestHub({ TRUST_DIR: trust });
      file = join(dir, 'lin-lt.pdf');
      writeFileSync(file, await sign(linearize((await basePdf()).bytes), 'B-LT'));
    });
    after(() => hub.close());

    it('lienthong verify --offline --trust root.pem: exit 0', () => {
      const r = runCliSync(['verify', '--offline', '--trust', pki.root.certPath, file]);
      expect(r.status, r.stdout + r.stderr).to.equal(0);
    });

    it('POST /api/v1/public/validations: 200, TOTAL_PASSED at PAdES-BASELINE-LT', async () => {
      const res = await fetch(`${hub.url}/api/v1/public/validations`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf' },
        body: readFileSync(file),
      });
      const body = (await res.json()) as TValidationReport;
      expect(res.status, JSON.stringify(body)).to.equal(200);
      const s = body.signatures.find((x) => x.type === 'SIGNATURE');
      expect([s?.indication, s?.level]).to.deep.equal(['TOTAL_PASSED', 'PAdES-BASELINE-LT']);
    });
  });
});

import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { keySigner } from '../../../server/src/lib/cms/index.js';
import { signPdf, type PadesLevel } from '../../../server/src/lib/pades/index.js';
import { validatePdf } from '../../../server/src/lib/validation/index.js';
import {
  createValidationPki,
  type PkiCert,
  type ValidationPki,
} from '../../support/validation-pki.js';
import * as tamper from '../../support/tamper.js';
import { basePdf } from './fixtures.js';

/** Files signed by the hub's own PAdES signer (server/src/lib/pades) at each baseline level. */
describe('validation: hub-signed PAdES files', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  before(() => {
    pki = createValidationPki();
  });
  after(() => pki.cleanup());

  const sign = async (
    level: PadesLevel,
    cert: PkiCert = pki.signerRsa,
    pdf?: Uint8Array,
  ): Promise<Uint8Array> =>
    signPdf(pdf ?? (await basePdf()).bytes, {
      signer: keySigner(createPrivateKey(readFileSync(cert.keyPath)), [
        cert.certDer,
        pki.ca.certDer,
        pki.root.certDer,
      ]),
      level,
      reason: 'Phê duyệt',
      timestamp: async (digest) => pki.timestampToken(digest),
      revocation: async () => ({ ocsp: [pki.ocspResponse(cert)], crls: [pki.caCrl, pki.rootCrl] }),
    });
  const validate = (pdf: Uint8Array) => validatePdf(pdf, { trustAnchors: [pki.root.certDer] });

  it('B-B without revocation data → INDETERMINATE TRY_LATER, level B-B', async () => {
    const s = (await validate(await sign('B-B'))).signatures[0];
    expect([s?.indication, s?.subIndication, s?.level]).to.deep.equal([
      'INDETERMINATE',
      'TRY_LATER',
      'PAdES-BASELINE-B',
    ]);
  });

  for (const [level, expected] of [
    ['B-T', 'PAdES-BASELINE-T'],
    ['B-LT', 'PAdES-BASELINE-LT'],
    ['B-LTA', 'PAdES-BASELINE-LTA'],
  ] as const) {
    it(`${level} → level ${expected}${level === 'B-T' ? ' (no revocation: TRY_LATER)' : ', TOTAL_PASSED'}`, async () => {
      const r = await validate(await sign(level));
      const s = r.signatures.find((x) => x.type === 'SIGNATURE');
      expect(s?.level).to.equal(expected);
      expect(s?.provenTime).to.be.a('string');
      if (level === 'B-T')
        expect([s?.indication, s?.subIndication]).to.deep.equal(['INDETERMINATE', 'TRY_LATER']);
      else
        expect([s?.indication, s?.subIndication], JSON.stringify(s?.messages)).to.deep.equal([
          'TOTAL_PASSED',
          null,
        ]);
      if (level === 'B-LTA') expect(r.signatures.map((x) => x.type)).to.include('DOC_TIMESTAMP');
    });
  }

  it('two hub signatures (RSA then EC) at B-LT both pass; tampering after them is caught', async () => {
    const two = await sign('B-LT', pki.signerEc, await sign('B-LT'));
    const r = await validate(two);
    expect(
      r.signatures.filter((s) => s.type === 'SIGNATURE').map((s) => s.indication),
    ).to.deep.equal(['TOTAL_PASSED', 'TOTAL_PASSED']);
    const forged = await validate(await tamper.shadowReplace(two));
    expect(forged.signatures.every((s) => s.indication === 'TOTAL_FAILED')).to.equal(true);
  });
});

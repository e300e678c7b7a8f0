/**
 * CMS shapes that other signers produce (issue #18, items 4 and 5): several SignerInfos, BSI
 * TR-03111 plain ECDSA, and a detached signature that also encapsulates content. The CMS is built
 * by pkijs and signed with Node's crypto (fixtures.ts), not by the validator's code.
 */
import { expect } from 'chai';
import {
  validatePdf,
  type TSignatureReport,
  type TValidationReport,
} from '../../../server/src/lib/validation/index.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as f from './fixtures.js';

describe('validation: CMS variants (several SignerInfos, plain ECDSA, encapsulated content)', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  const first = (r: TValidationReport): TSignatureReport => {
    const s = r.signatures[0];
    if (!s) throw new Error('no signature in report');
    return s;
  };
  const signAndValidate = async (extra: Partial<f.CmsOptions>): Promise<TSignatureReport> => {
    const pdf = await f.addSignature((await f.basePdf()).bytes, {
      signer: pki.signerRsa,
      chain: [pki.ca],
      revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
      ...extra,
    });
    return first(await validatePdf(pdf, { trustAnchors: [pki.root.certDer] }));
  };

  before(() => {
    pki = createValidationPki();
  });

  it('two SignerInfos that both verify → TOTAL_PASSED (DSS and pdfsig accept it)', async () => {
    const s = await signAndValidate({ extraSigners: [{ signer: pki.signerEc }] });
    expect(s.indication, JSON.stringify(s.messages)).to.equal('TOTAL_PASSED');
    expect(s.signer?.commonName, 'the first SignerInfo is the one reported').to.equal(
      'Nguyen Van A',
    );
  });

  it('a second SignerInfo whose signature value is wrong → TOTAL_FAILED SIG_CRYPTO_FAILURE', async () => {
    const s = await signAndValidate({ extraSigners: [{ signer: pki.signerEc, corrupt: true }] });
    expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_FAILED', 'SIG_CRYPTO_FAILURE']);
  });

  it('plain ECDSA (0.4.0.127.0.7.1.1.4.1.3, r || s) is verified, not "unsupported algorithm"', async () => {
    const s = await signAndValidate({ signer: pki.signerEc, plainEcdsa: true });
    expect(s.indication, JSON.stringify(s.messages)).to.equal('TOTAL_PASSED');
    expect(s.signatureAlgorithm).to.equal('SHA256withPLAIN-ECDSA');
  });

  it('a detached signature whose CMS encapsulates content → TOTAL_FAILED FORMAT_FAILURE', async () => {
    const s = await signAndValidate({ encapsulate: new TextEncoder().encode('other content') });
    expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_FAILED', 'FORMAT_FAILURE']);
    expect(s.messages.map((m) => m.code)).to.include('DETACHED_WITH_CONTENT');
  });
});

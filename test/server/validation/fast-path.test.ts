import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validatePdf, type TValidationReport } from '../../../server/src/lib/validation/index.js';
import { certFromDer, clearCertificateCache } from '../../../server/src/lib/pki/x509.js';
import { ocspRequest } from '../../../server/src/lib/pki/ocsp.js';
import { checkCrl } from '../../../server/src/lib/validation/revocation.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as tamper from '../../support/tamper.js';
import * as f from './fixtures.js';

/**
 * The fast path (zero-copy DER reader, certificate/CRL caches, /Contents masked before pdf-lib
 * parses the file) must give exactly the verdicts of the plain path, on valid files, on the
 * tamper corpus and on attacks aimed at the mask itself; its DER reading must agree with openssl.
 */
describe('validation: fast path', function () {
  this.timeout(180_000);
  let pki: ValidationPki;
  let now: Date;
  before(() => {
    pki = createValidationPki();
    // one fixed validation time for both paths, after the certificates' notBefore
    now = new Date(Date.now() + 60_000);
  });
  after(() => pki.cleanup());

  const signed = async (signer = () => pki.signerRsa): Promise<Uint8Array> =>
    f.addSignature((await f.basePdf()).bytes, {
      signer: signer(),
      chain: [pki.ca],
      revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
    });
  const run = async (pdf: Uint8Array, maskContents: boolean): Promise<TValidationReport> => {
    clearCertificateCache();
    const r = await validatePdf(pdf, { trustAnchors: [pki.root.certDer], now, maskContents });
    return { ...r, validatedAt: '' };
  };

  /** A later revision redefines the signature dictionary with other /Contents, same ByteRange. */
  async function rewriteSignatureContents(pdf: Uint8Array): Promise<Uint8Array> {
    const text = Buffer.from(pdf).toString('latin1');
    const m = /(\d+) 0 obj\s*(<< \/Type \/Sig[\s\S]*?>>)\s*endobj/.exec(text);
    if (!m?.[1] || !m[2]) throw new Error('no signature dictionary');
    const body = m[2].replace(
      /\/Contents <([0-9a-f])/i,
      (_all, c: string) => `/Contents <${c === '3' ? '4' : '3'}`,
    );
    return f.appendUpdate(pdf, [{ num: Number(m[1]), body }]);
  }

  /** An unreferenced object whose /ByteRange names the real gap: masking must change nothing. */
  async function decoyByteRange(pdf: Uint8Array): Promise<Uint8Array> {
    const text = Buffer.from(pdf).toString('latin1');
    const br = /\/ByteRange\s*\[[^\]]*\]/.exec(text)?.[0] ?? '';
    const num =
      Number([...text.matchAll(/(\d+) 0 obj/g)].map((x) => Number(x[1])).sort((a, b) => b - a)[0]) +
      1;
    return f.appendUpdate(pdf, [{ num, body: `<< ${br} >>` }]);
  }

  it('same report with and without the mask: valid files, tamper corpus, attacks on the mask', async () => {
    const one = await signed();
    const two = await f.addSignature(one, {
      signer: pki.signerEc,
      chain: [pki.ca],
      revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
    });
    const cases: [string, Uint8Array][] = [
      ['one signature', one],
      ['two signatures', two],
      [
        '@signpdf + DSS',
        await f.addDss(
          await f.signWithSignpdf(pki, pki.signerRsa),
          f.revocationFor(pki, pki.signerRsa),
        ),
      ],
      ['flipped byte', tamper.flipByteInSignedRange(one)],
      ['broken signature', tamper.breakSignatureValue(one)],
      ['truncated contents', tamper.truncateContents(one)],
      ['ByteRange skips bytes', tamper.byteRangeSkipsBytes(one)],
      ['page content replaced', await tamper.replacePageContent(one)],
      ['shadow hide', await tamper.shadowHide(two)],
      ['shadow replace', await tamper.shadowReplace(two)],
      ['incremental saving', await tamper.appendObjectsWithoutXref(one)],
      ['signature /Contents rewritten', await rewriteSignatureContents(one)],
      ['decoy ByteRange', await decoyByteRange(two)],
    ];
    for (const [name, pdf] of cases) {
      const fast = await run(pdf, true);
      const plain = await run(pdf, false);
      expect(fast, name).to.deep.equal(plain);
    }
    const rewritten = (await run(cases[11]![1], true)).signatures[0];
    expect([rewritten?.indication, rewritten?.subIndication]).to.deep.equal([
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
    ]);
    const decoy = await run(cases[12]![1], true);
    expect(decoy.signatures.map((s) => s.indication)).to.deep.equal([
      'TOTAL_PASSED',
      'TOTAL_PASSED',
    ]);
  });

  it('certificate fields read by the DER reader match openssl x509', () => {
    for (const p of [pki.signerRsa, pki.signerEc, pki.ca, pki.root, pki.signerExpired]) {
      const c = certFromDer(p.certDer);
      const out = execFileSync('openssl', [
        'x509',
        '-in',
        p.certPath,
        '-noout',
        '-serial',
        '-startdate',
        '-enddate',
        '-subject',
        '-nameopt',
        'RFC2253',
      ]).toString();
      const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1] ?? '';
      expect(c.serialHex.replace(/^0+/, ''), p.name).to.equal(field('serial').replace(/^0+/, ''));
      expect(c.notBefore.getTime()).to.equal(new Date(field('notBefore')).getTime());
      expect(c.notAfter.getTime()).to.equal(new Date(field('notAfter')).getTime());
      expect(c.subject, p.name).to.equal(
        field('subject')
          .replace(/,/g, ', ')
          .replace('2.5.4.97=#0C10VNTVN-0101234567', 'organizationIdentifier=VNTVN-0101234567')
          .replace(/^organizationIdentifier=[^,]*/, (m) => m),
      );
      expect(certFromDer(p.certDer)).to.equal(c); // cached by DER hash
    }
    expect(certFromDer(pki.ca.certDer).isCA).to.equal(true);
    expect([...(certFromDer(pki.signerRsa.certDer).keyUsage ?? [])]).to.deep.equal([
      'digitalSignature',
      'nonRepudiation',
    ]);
    expect(certFromDer(pki.ocsp.certDer).extendedKeyUsage).to.deep.equal(['1.3.6.1.5.5.7.3.9']);
  });

  it('CRL entries read by the DER reader match openssl crl', () => {
    const ca = certFromDer(pki.ca.certDer);
    const revoked = checkCrl(pki.caCrl, certFromDer(pki.signerRevoked.certDer), ca, 'DSS');
    const good = checkCrl(pki.caCrl, certFromDer(pki.signerRsa.certDer), ca, 'DSS');
    const wrongIssuer = checkCrl(
      pki.caCrl,
      certFromDer(pki.signerRsa.certDer),
      certFromDer(pki.root.certDer),
      'DSS',
    );
    const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-noout', '-text'], {
      input: pki.caCrl,
    }).toString();
    const date = /Revocation Date: (.*)/.exec(text)?.[1] ?? '';
    expect(text).to.include(`Serial Number: ${certFromDer(pki.signerRevoked.certDer).serialHex}`);
    expect(revoked?.status).to.equal('revoked');
    expect(revoked?.revokedAt?.getTime()).to.equal(new Date(date).getTime());
    expect(good?.status).to.equal('good');
    expect(wrongIssuer).to.equal(null);
  });

  it('online OCSP requests name the certificate as openssl does', () => {
    const cert = certFromDer(pki.signerRsa.certDer);
    const file = join(pki.dir, 'ours.ocsp-req');
    writeFileSync(file, ocspRequest(cert, certFromDer(pki.ca.certDer)));
    const ours = execFileSync('openssl', ['ocsp', '-reqin', file, '-req_text']).toString();
    const theirs = execFileSync('openssl', [
      'ocsp',
      '-issuer',
      pki.ca.certPath,
      '-cert',
      pki.signerRsa.certPath,
      '-no_nonce',
      '-req_text',
    ]).toString();
    const certId = (t: string) => /Certificate ID:[\s\S]*?Serial Number: \S+/.exec(t)?.[0];
    expect(certId(ours)).to.be.a('string').and.equal(certId(theirs));
    expect(ours).to.include(`Serial Number: ${cert.serialHex}`);
  });
});

/**
 * A PKI made before the root published its CRL (issuing CA without a CRL distribution point)
 * is kept, not migrated (docs/pki.md "Revocation of CA certificates"): the hub must still start
 * with it, serve the root's CRL and make signatures that validate with only the root.
 */
import { expect } from 'chai';
import * as asn1js from 'asn1js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hub } from '../../../server/src/hub.js';
import { signerFromPkcs12 } from '../../../server/src/lib/cms/pkcs12.js';
import { hubRevocation, hubTsaTimestamp } from '../../../server/src/modules/pki/signing-keys.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import {
  OID,
  exportPkcs12,
  fromPem,
  initHierarchy,
  loadIdentity,
  parseCertificate,
  signatureAlgorithmIdentifier,
  toPem,
} from '../../../server/src/lib/pki/index.js';
import { toArrayBuffer } from '../../../server/src/lib/asn1/index.js';
import { certFromDer } from '../../../server/src/lib/pki/x509.js';
import { validatePdf } from '../../../server/src/lib/validation/index.js';
import { corpusBytes } from '../../support/corpus.js';
import { startTestHub } from '../../support/hub.js';
import { tempDir } from './helpers.js';

const PASSWORD = 'legacy-pki-password';

/** The issuing CA as the old profile made it: the same certificate without CRL DP, re-signed. */
async function dropCrlPointer(dir: string): Promise<void> {
  const root = loadIdentity(dir, 'root-ca', PASSWORD);
  const issuing = loadIdentity(dir, 'issuing-ca', PASSWORD);
  const cert = parseCertificate(issuing.certificate);
  cert.extensions = cert.extensions?.filter((e) => e.extnID !== OID.crlDistributionPoints);
  cert.signature = signatureAlgorithmIdentifier(root.signer.algorithm);
  cert.signatureAlgorithm = signatureAlgorithmIdentifier(root.signer.algorithm);
  cert.tbsView = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = await root.signer.sign(cert.tbsView);
  cert.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  const der = new Uint8Array(cert.toSchema(false).toBER(false));
  const p12 = exportPkcs12({
    privateKey: issuing.privateKey,
    certificate: der,
    chain: [root.certificate],
    password: PASSWORD,
    friendlyName: 'issuing-ca',
  });
  writeFileSync(join(dir, 'issuing-ca.p12'), p12);
  writeFileSync(join(dir, 'issuing-ca.pem'), toPem(der));
}

describe('pki: a hierarchy made before the root CRL (no CRL DP on the issuing CA)', function () {
  this.timeout(120_000);
  const tmp = tempDir('legacy-pki');
  let hub: Hub;
  let savedPassword: string | undefined;

  before(async () => {
    await initHierarchy({
      dir: tmp.dir,
      algorithm: 'p256',
      password: PASSWORD,
      publicUrl: 'http://127.0.0.1:9',
    });
    await dropCrlPointer(tmp.dir);
    savedPassword = process.env.PKI_PASSWORD;
    process.env.PKI_PASSWORD = PASSWORD;
    hub = await startTestHub({ PKI_DIR: tmp.dir });
  });
  after(async () => {
    await hub?.close();
    if (savedPassword === undefined) delete process.env.PKI_PASSWORD;
    else process.env.PKI_PASSWORD = savedPassword;
    tmp.cleanup();
  });

  it('the hub starts, serves the root CRL, and its B-LT signatures still pass with only the root', async () => {
    const issuingPem = readFileSync(join(tmp.dir, 'issuing-ca.pem'), 'latin1');
    expect(certFromDer(fromPem(issuingPem)).crlUrls).to.deep.equal([]);
    const served = await fetch(`${hub.url}/pki/issuing-ca.pem`);
    expect(await served.text()).to.equal(issuingPem);
    const crl = await fetch(`${hub.url}/pki/root-ca.crl`);
    expect(crl.status).to.equal(200);
    expect(crl.headers.get('content-type')).to.contain('application/pkix-crl');

    const p12 = signerFromPkcs12(readFileSync(join(tmp.dir, 'demo-seal.p12')), PASSWORD);
    // demo-seal.p12 still holds the issuing CA as init wrote it: give the one the hub now has
    const [seal, , root] = p12.certificateChain;
    const signer = { ...p12, certificateChain: [seal!, fromPem(issuingPem), root!] };
    const signed = await signPdf(await corpusBytes('letter-gs'), {
      signer,
      level: 'B-LT',
      timestamp: hubTsaTimestamp(hub.ctx),
      revocation: hubRevocation(hub.ctx),
    });
    const report = await validatePdf(signed, { trustAnchors: [root!] });
    const sig = report.signatures[0]!;
    expect(sig.indication, JSON.stringify(sig.messages)).to.equal('TOTAL_PASSED');
    expect(sig.level).to.equal('PAdES-BASELINE-LT');
    expect(sig.chain[1]?.revocation).to.include({ type: 'CRL', source: 'DSS', status: 'good' });
  });
});

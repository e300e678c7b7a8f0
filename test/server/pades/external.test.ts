import { expect } from 'chai';
import { constants, createPrivateKey, privateEncrypt, sign } from 'node:crypto';
import { corpusBytes } from '../../support/corpus.js';
import { nssDatabase, testPki } from '../../support/openssl-pki.js';
import { completeExternal, prepareExternal } from '../../../server/src/lib/pades/index.js';
import { opensslCmsVerify, pdfsig, pdfsigBlocks, qpdfCheck, rawSignatures } from './validators.js';

/** DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1): what a token's "sign hash" call adds. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

function expectValid(pdf: Uint8Array): void {
  const [block] = pdfsigBlocks(pdfsig(pdf, nssDatabase(testPki())));
  expect(block)
    .to.include('Signature is Valid')
    .and.include('Certificate is Trusted')
    .and.include('Total document signed');
  const [raw] = rawSignatures(pdf);
  expect(opensslCmsVerify(raw!, testPki().rootPath)).to.include('Verification successful');
  expect(qpdfCheck(pdf).status).to.equal(0);
}

describe('two-step external signing', function () {
  this.timeout(60_000);

  it('RSA: the client signs only the digest (PKCS#1 v1.5 over DigestInfo) and the PDF validates', async () => {
    const pki = testPki();
    const prepared = await prepareExternal(await corpusBytes('letter-gs'), {
      certificateChain: pki.rsa.chain,
      algorithm: 'RSA-PKCS1',
      reason: 'Ký bằng USB token',
    });
    expect(prepared.digest).to.have.length(32);
    const session = JSON.parse(JSON.stringify(prepared.session)) as typeof prepared.session;
    const key = createPrivateKey(pki.rsa.keyPem);
    const signature = privateEncrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO, prepared.digest]),
    );
    expectValid(await completeExternal(session, signature));
  });

  it('ECDSA: a raw r||s signature (64 bytes, WebCrypto style) is converted to DER', async () => {
    const pki = testPki();
    const prepared = await prepareExternal(await corpusBytes('letter-objstm'), {
      certificateChain: pki.ec.chain,
      algorithm: 'ECDSA',
    });
    const raw = sign('sha256', prepared.dataToSign, {
      key: createPrivateKey(pki.ec.keyPem),
      dsaEncoding: 'ieee-p1363',
    });
    expect(raw).to.have.length(64);
    expectValid(await completeExternal(prepared.session, raw));
  });

  it('rejects a signature made by another key, and a tampered session', async () => {
    const pki = testPki();
    const prepared = await prepareExternal(await corpusBytes('letter-gs'), {
      certificateChain: pki.rsa.chain,
      algorithm: 'RSA-PSS',
    });
    const wrong = sign('sha256', prepared.dataToSign, {
      key: createPrivateKey(pki.rsa2.keyPem),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const err = await completeExternal(prepared.session, wrong).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'PADES_SIGNATURE_INVALID');
    const good = sign('sha256', prepared.dataToSign, {
      key: createPrivateKey(pki.rsa.keyPem),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const tampered = {
      ...prepared.session,
      preparedPdf: Buffer.from('%PDF-1.7 evil').toString('base64'),
    };
    const err2 = await completeExternal(tampered, good).catch((e: unknown) => e);
    expect(err2).to.have.property('code', 'PADES_BAD_SESSION');
    expectValid(await completeExternal(prepared.session, good));
  });
});

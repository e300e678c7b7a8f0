import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { corpusBytes } from '../../support/corpus.js';
import {
  nssDatabase,
  P12_PASSWORD,
  startTestTsa,
  testPki,
  type TestTsa,
} from '../../support/openssl-pki.js';
import { signerFromPkcs12, type CmsSigner } from '../../../server/src/lib/cms/index.js';
import { signPdf, signPdfUpdate, vriKey } from '../../../server/src/lib/pades/index.js';
import {
  opensslCmsVerify,
  pdfsig,
  pdfsigBlocks,
  qpdfCheck,
  rawSignatures,
  run,
  withTempDir,
} from './validators.js';

function signer(
  which: 'rsa' | 'rsa2' | 'ec',
  algorithm?: 'RSA-PKCS1' | 'RSA-PSS' | 'ECDSA',
): CmsSigner {
  return signerFromPkcs12(readFileSync(testPki()[which].p12Path), P12_PASSWORD, algorithm);
}

/** The id-aa-signatureTimeStampToken of the only SignerInfo, and the signature it covers. */
function embeddedToken(cmsDer: Buffer): { token: Buffer; signature: Buffer } {
  const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(cmsDer).result });
  const signed = new pkijs.SignedData({ schema: info.content });
  const si = signed.signerInfos[0]!;
  const attr = si.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14');
  expect(attr, 'signature time-stamp attribute').to.not.equal(undefined);
  return {
    token: Buffer.from(attr!.values[0]!.toBER(false)),
    signature: Buffer.from(si.signature.valueBlock.valueHexView),
  };
}

function opensslTsVerify(token: Buffer, digestHex: string): string {
  const pki = testPki();
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'token.der'), token);
    return run('openssl', [
      'ts',
      '-verify',
      '-token_in',
      '-in',
      join(dir, 'token.der'),
      '-digest',
      digestHex,
      '-CAfile',
      pki.rootPath,
      '-untrusted',
      pki.issuingPath,
    ]).out;
  });
}

describe('PAdES levels and successive signatures', function () {
  this.timeout(120_000);
  let tsa: TestTsa;
  before(async () => {
    tsa = await startTestTsa(testPki());
  });
  after(() => tsa.close());

  it('B-T embeds a signature time-stamp that openssl ts -verify accepts over the signature value', async () => {
    const signed = await signPdf(await corpusBytes('letter-gs'), {
      signer: signer('rsa', 'RSA-PSS'),
      level: 'B-T',
      tsaUrl: tsa.url,
    });
    const [raw] = rawSignatures(signed);
    const { token, signature } = embeddedToken(raw!.der);
    const digest = createHash('sha256').update(signature).digest('hex');
    expect(opensslTsVerify(token, digest)).to.include('Verification: OK');
    expect(
      opensslTsVerify(token, createHash('sha256').update('other').digest('hex')),
    ).to.not.include('Verification: OK');
    expect(opensslCmsVerify(raw!, testPki().rootPath)).to.include('Verification successful');
    const blocks = pdfsigBlocks(pdfsig(signed, nssDatabase(testPki())));
    expect(blocks[0]).to.include('Signature is Valid');
  });

  it('leader then seal: both signatures stay valid (pdfsig, openssl, qpdf)', async () => {
    const leader = await signPdf(await corpusBytes('letter-objstm'), {
      signer: signer('rsa', 'RSA-PSS'),
      reason: 'Ký duyệt',
    });
    const sealed = await signPdf(leader, {
      signer: signer('rsa2', 'RSA-PKCS1'),
      reason: 'Đóng dấu',
    });
    expect(Buffer.from(sealed.subarray(0, leader.length)).equals(Buffer.from(leader))).to.equal(
      true,
    );
    const blocks = pdfsigBlocks(pdfsig(sealed, nssDatabase(testPki())));
    expect(blocks).to.have.length(2);
    expect(blocks[0])
      .to.include('Signature is Valid')
      .and.include('Certificate is Trusted')
      .and.include('Not total document signed');
    expect(blocks[1])
      .to.include('Signature is Valid')
      .and.include('Certificate is Trusted')
      .and.include('Total document signed');
    for (const raw of rawSignatures(sealed))
      expect(opensslCmsVerify(raw, testPki().rootPath)).to.include('Verification successful');
    expect(qpdfCheck(sealed).status).to.equal(0);
  });

  it('signPdfUpdate returns exactly what signPdf appends; input + update validates at B-LTA too', async () => {
    const pdf = await corpusBytes('letter-gs');
    const options = {
      signer: signer('rsa', 'RSA-PKCS1'),
      signingTime: new Date('2026-03-02T03:04:05Z'),
    };
    const whole = await signPdf(pdf, options);
    const update = await signPdfUpdate(pdf, options);
    expect(Buffer.concat([pdf, update]).equals(Buffer.from(whole))).to.equal(true);
    const lta = await signPdfUpdate(pdf, { ...options, level: 'B-LTA', tsaUrl: tsa.url });
    const joined = Buffer.concat([pdf, lta]);
    const blocks = pdfsigBlocks(pdfsig(joined, nssDatabase(testPki())));
    expect(blocks).to.have.length(2);
    expect(blocks[0]).to.include('Signature is Valid').and.include('Certificate is Trusted');
    const docTs = rawSignatures(joined)[1]!;
    expect(
      opensslTsVerify(docTs.der, createHash('sha256').update(docTs.signedData).digest('hex')),
    ).to.include('Verification: OK');
    expect(qpdfCheck(joined).status).to.equal(0);
  });

  it('leader, seal, then B-LTA: DSS with VRI, document time-stamp, earlier signatures still valid', async () => {
    const leader = await signPdf(await corpusBytes('letter-classic-1.4'), {
      signer: signer('ec'),
      certify: true,
    });
    const revocationCalls: string[] = [];
    const lta = await signPdf(leader, {
      signer: signer('rsa2', 'RSA-PKCS1'),
      level: 'B-LTA',
      tsaUrl: tsa.url,
      revocation: (cert) => {
        revocationCalls.push(createHash('sha256').update(cert).digest('hex'));
        return Promise.resolve({ crls: [Buffer.from('not-a-real-crl')] });
      },
    });
    // signer → issuing CA, issuing CA → root, the signature time-stamp's TSA → issuing CA, and
    // the leader's earlier signature (best effort, so that it stays verifiable offline as well)
    const sha = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');
    expect(revocationCalls).to.have.length(4);
    expect(revocationCalls).to.include(sha(signer('ec').certificateChain[0]!));
    expect(revocationCalls).to.include(sha(testPki().tsa.chain[0]!));
    expect(revocationCalls).to.include(sha(testPki().issuingDer));
    const text = Buffer.from(lta).toString('latin1');
    expect(text)
      .to.include('/DSS')
      .and.include('/VRI')
      .and.include('/DocTimeStamp')
      .and.include('/ETSI.RFC3161');
    const raws = rawSignatures(lta);
    expect(raws).to.have.length(3);
    const sealContents = Buffer.from(
      text.slice(raws[1]!.byteRange[1] + 1, raws[1]!.byteRange[2] - 1),
      'hex',
    );
    expect(text).to.include(`/${vriKey(sealContents)}`);
    // the document time-stamp token covers the byte ranges of the final revision
    const docTs = raws[2]!;
    expect(
      opensslTsVerify(docTs.der, createHash('sha256').update(docTs.signedData).digest('hex')),
    ).to.include('Verification: OK');
    const blocks = pdfsigBlocks(pdfsig(lta, nssDatabase(testPki())));
    expect(blocks).to.have.length(3);
    expect(blocks[0]).to.include('Signature is Valid').and.include('Certificate is Trusted');
    expect(blocks[1]).to.include('Signature is Valid').and.include('Certificate is Trusted');
    for (const raw of raws.slice(0, 2))
      expect(opensslCmsVerify(raw, testPki().rootPath)).to.include('Verification successful');
    expect(qpdfCheck(lta).status).to.equal(0);
  });

  it('B-T fails closed with TSA_UNAVAILABLE when the TSA does not answer', async () => {
    const down = await startTestTsa(testPki());
    const url = down.url;
    await down.close();
    const pdf = await corpusBytes('letter-gs');
    const err = await signPdf(pdf, { signer: signer('rsa'), level: 'B-T', tsaUrl: url }).catch(
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'TSA_UNAVAILABLE');
  });

  it('B-T without any TSA is refused before signing', async () => {
    const err = await signPdf(await corpusBytes('letter-gs'), {
      signer: signer('rsa'),
      level: 'B-T',
    }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'PADES_NO_TSA');
  });
});

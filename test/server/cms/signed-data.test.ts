import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { P12_PASSWORD, testPki } from '../../support/openssl-pki.js';
import {
  createCms,
  readPkcs12,
  signerFromPkcs12,
  signedAttributes,
  type SignatureScheme,
} from '../../../server/src/lib/cms/index.js';
import { run, withTempDir } from '../pades/validators.js';

function printCms(der: Uint8Array): string {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'c.der'), der);
    return run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'c.der')])
      .out;
  });
}

function verifyDetached(der: Uint8Array, content: Buffer): string {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'c.der'), der);
    writeFileSync(join(dir, 'content'), content);
    return run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      join(dir, 'c.der'),
      '-content',
      join(dir, 'content'),
      '-CAfile',
      testPki().rootPath,
      '-purpose',
      'any',
      '-out',
      join(dir, 'out'),
    ]).out;
  });
}

describe('CMS SignedData (PAdES baseline)', () => {
  const content = Buffer.from('các byte đã ký của tài liệu');
  const digest = createHash('sha256').update(content).digest();

  for (const [which, algorithm] of [
    ['rsa', 'RSA-PKCS1'],
    ['rsa', 'RSA-PSS'],
    ['ec', 'ECDSA'],
  ] as const) {
    it(`${algorithm}: openssl verifies it; attributes are content-type, message-digest, signing-certificate-v2 only`, async () => {
      const signer = signerFromPkcs12(
        readFileSync(testPki()[which].p12Path),
        P12_PASSWORD,
        algorithm as SignatureScheme,
      );
      const der = await createCms(digest, signer);
      expect(verifyDetached(der, content)).to.include('Verification successful');
      expect(verifyDetached(der, Buffer.from('tampered'))).to.not.include(
        'Verification successful',
      );
      const printed = printCms(der);
      expect(printed).to.include('contentType').and.include('messageDigest');
      expect(printed).to.match(
        /id-smime-aa-signingCertificateV2|1\.2\.840\.113549\.1\.9\.16\.2\.47/,
      );
      expect(printed).to.not.include('signingTime');
      expect(printed.match(/version: 1\b/g)?.length).to.be.greaterThan(0);
      if (algorithm === 'RSA-PSS') {
        expect(printed).to.include('rsassaPss').and.include('mgf1');
        expect(printed).to.match(/cont \[ 2 \]\s+\d+:d=2\s+hl=2 l=\s*1 prim:\s+INTEGER\s+:20/); // salt 32
      }
      if (algorithm === 'ECDSA') expect(printed).to.include('ecdsa-with-SHA256');
      if (algorithm === 'RSA-PKCS1') expect(printed).to.include('sha256WithRSAEncryption');
    });
  }

  it('signed attributes are a DER SET OF sorted by encoding', () => {
    const der = signedAttributes(digest, testPki().rsa.chain[0]!);
    expect(der[0]).to.equal(0x31);
    const elements: Buffer[] = [];
    let at = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
    while (at < der.length) {
      const lenByte = der[at + 1]!;
      const lenBytes = lenByte & 0x80 ? lenByte & 0x7f : 0;
      let len = lenBytes ? 0 : lenByte;
      for (let i = 0; i < lenBytes; i++) len = len * 256 + der[at + 2 + i]!;
      const end = at + 2 + lenBytes + len;
      elements.push(Buffer.from(der.subarray(at, end)));
      at = end;
    }
    expect(elements).to.have.length(3);
    const sorted = [...elements].sort(Buffer.compare);
    expect(elements.map((e) => e.toString('hex'))).to.deep.equal(
      sorted.map((e) => e.toString('hex')),
    );
  });

  it('reads RSA and EC keys from OpenSSL 3 PKCS#12 files, chain ordered signer → root', () => {
    for (const id of [testPki().rsa, testPki().ec]) {
      const { certificateChain } = readPkcs12(readFileSync(id.p12Path), P12_PASSWORD);
      expect(certificateChain.map((c) => Buffer.from(c).toString('hex'))).to.deep.equal(
        id.chain.map((c) => Buffer.from(c).toString('hex')),
      );
    }
  });
});

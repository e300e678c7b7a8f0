import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  initHierarchy,
  loadIdentity,
  type LoadedIdentity,
} from '../../../server/src/lib/pki/hierarchy.js';
import { buildCrl, CRL_REASON } from '../../../server/src/lib/pki/crl.js';
import { issueFromCsr, parseCsr } from '../../../server/src/lib/pki/csr.js';
import { fromPem, toPem } from '../../../server/src/lib/pki/pem.js';
import { PkiError } from '../../../server/src/lib/pki/errors.js';
import { openssl, tempDir, PUBLIC_URL, PASSWORD } from './helpers.js';

for (const algorithm of ['rsa2048', 'p256'] as const) {
  describe(`pki CRL and CSR (${algorithm})`, function () {
    const tmp = tempDir(`crl-${algorithm}`);
    const dir = tmp.dir;
    let issuing: LoadedIdentity;

    before(async function () {
      await initHierarchy({ dir, algorithm, publicUrl: PUBLIC_URL, password: PASSWORD });
      issuing = loadIdentity(dir, 'issuing-ca', PASSWORD);
    });
    after(() => tmp.cleanup());

    it('builds a v2 CRL that openssl verifies and lists with reasons', async function () {
      const der = await buildCrl({
        issuer: { certificate: issuing.certificate, signer: issuing.signer },
        crlNumber: 42n,
        thisUpdate: new Date('2026-01-01T00:00:00Z'),
        nextUpdate: new Date('2026-01-08T00:00:00Z'),
        revoked: [
          {
            serialHex: '0a1b2c3d4e5f6071',
            revokedAt: new Date('2025-12-01T10:00:00Z'),
            reason: CRL_REASON.keyCompromise,
          },
          {
            serialHex: '7f00000000000001',
            revokedAt: new Date('2025-12-02T10:00:00Z'),
            reason: CRL_REASON.superseded,
          },
          { serialHex: '1234', revokedAt: new Date('2025-12-03T10:00:00Z') },
        ],
      });
      const file = join(dir, 'crl.der');
      writeFileSync(file, der);
      const chain = join(dir, 'chain.pem');
      writeFileSync(
        chain,
        readFileSync(join(dir, 'issuing-ca.pem'), 'utf8') +
          readFileSync(join(dir, 'root-ca.pem'), 'utf8'),
      );
      const verify = openssl(['crl', '-inform', 'DER', '-in', file, '-CAfile', chain, '-noout']);
      expect(verify.stdout + verify.stderr).to.include('verify OK');
      const text = openssl(['crl', '-inform', 'DER', '-in', file, '-noout', '-text']).stdout;
      expect(text).to.include('Version 2');
      expect(text).to.match(/X509v3 CRL Number:\s+42/);
      expect(text).to.include('Authority Key Identifier');
      expect(text).to.include('Last Update: Jan  1 00:00:00 2026 GMT');
      expect(text).to.include('Next Update: Jan  8 00:00:00 2026 GMT');
      expect(text).to.match(
        /Serial Number: 0A1B2C3D4E5F6071\s+Revocation Date: Dec {2}1 10:00:00 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/,
      );
      expect(text).to.match(/Serial Number: 7F00000000000001[\s\S]*?Superseded/);
      expect(text).to.match(/Serial Number: 1234\s+Revocation Date: Dec {2}3 10:00:00 2025 GMT/);
    });

    it('a CRL signed by the wrong CA fails openssl verification', async function () {
      const root = loadIdentity(dir, 'root-ca', PASSWORD);
      const der = await buildCrl({
        issuer: { certificate: issuing.certificate, signer: root.signer },
        crlNumber: 1n,
        nextUpdate: new Date(Date.now() + 86_400_000),
        revoked: [],
      });
      const file = join(dir, 'bad-crl.der');
      writeFileSync(file, der);
      const verify = openssl([
        'crl',
        '-inform',
        'DER',
        '-in',
        file,
        '-CAfile',
        join(dir, 'issuing-ca.pem'),
        '-noout',
      ]);
      expect(verify.stdout + verify.stderr).to.include('verify failure');
    });

    it('issues a certificate from an openssl CSR without seeing the private key', async function () {
      const key = join(dir, 'csr-key.pem');
      const csrFile = join(dir, 'req.csr');
      const keyArgs =
        algorithm === 'p256'
          ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
          : ['-newkey', 'rsa:2048'];
      const gen = openssl([
        'req',
        '-new',
        ...keyArgs,
        '-nodes',
        '-keyout',
        key,
        '-out',
        csrFile,
        '-subj',
        '/CN=Trần Thị Bình/O=Sở Tư pháp',
        '-utf8',
      ]);
      expect(gen.status, gen.stderr).to.equal(0);
      const issued = await issueFromCsr({
        csr: fromPem(readFileSync(csrFile, 'utf8'), 'CERTIFICATE REQUEST'),
        kind: 'personal-signer',
        subject: { commonName: 'Trần Thị Bình', organization: 'Sở Tư pháp', title: 'Giám đốc' },
        issuer: { certificate: issuing.certificate, signer: issuing.signer },
        publicUrl: PUBLIC_URL,
      });
      const certFile = join(dir, 'from-csr.pem');
      writeFileSync(certFile, toPem(issued.der));
      const verify = openssl([
        'verify',
        '-CAfile',
        join(dir, 'root-ca.pem'),
        '-untrusted',
        join(dir, 'issuing-ca.pem'),
        certFile,
      ]);
      expect(verify.stdout).to.include(': OK');
      const certKey = openssl(['x509', '-in', certFile, '-noout', '-pubkey']).stdout;
      const csrKey = openssl(['pkey', '-in', key, '-pubout']).stdout;
      expect(certKey).to.equal(csrKey);
      expect(
        openssl(['x509', '-in', certFile, '-noout', '-subject', '-nameopt', 'utf8']).stdout,
      ).to.include('CN=Trần Thị Bình');
    });

    it('refuses a CSR whose signature is broken', function () {
      const csrFile = join(dir, 'req.csr');
      const der = Buffer.from(fromPem(readFileSync(csrFile, 'utf8'), 'CERTIFICATE REQUEST'));
      expect(parseCsr(der).subject.commonName).to.equal('Trần Thị Bình');
      der[der.length - 5]! ^= 0x01;
      expect(() => parseCsr(der))
        .to.throw(PkiError)
        .with.property('code', 'PKI_CSR_BAD_SIGNATURE');
      expect(() => parseCsr(new Uint8Array([1, 2, 3]))).to.throw(PkiError);
    });
  });
}

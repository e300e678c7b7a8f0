import { expect } from 'chai';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { initHierarchy, loadIdentity } from '../../../server/src/lib/pki/hierarchy.js';
import { exportPkcs12, readPkcs12 } from '../../../server/src/lib/pki/pkcs12.js';
import { PkiError } from '../../../server/src/lib/pki/errors.js';
import { toPem } from '../../../server/src/lib/pki/pem.js';
import { openssl, tempDir, PUBLIC_URL, PASSWORD } from './helpers.js';

const END_ENTITIES = ['tsa', 'ocsp', 'demo-seal', 'demo-signer'];

function text(dir: string, name: string): string {
  const res = openssl([
    'x509',
    '-in',
    join(dir, `${name}.pem`),
    '-noout',
    '-text',
    '-nameopt',
    'utf8,sep_multiline',
  ]);
  expect(res.status, res.stderr).to.equal(0);

  return res.stdout;
}

for (const algorithm of ['rsa2048', 'rsa3072', 'p256'] as const) {
  describe(`pki initHierarchy (${algorithm})`, function () {
    const tmp = tempDir(`hier-${algorithm}`);
    const dir = tmp.dir;
    let password = '';

    before(async function () {
      const result = await initHierarchy({ dir, algorithm, publicUrl: PUBLIC_URL });
      expect(result.passwordGenerated).to.equal(true);
      password = result.password;
    });
    after(() => tmp.cleanup());

    it('writes every file and no plain private key', function () {
      for (const name of ['root-ca', 'issuing-ca', ...END_ENTITIES]) {
        expect(existsSync(join(dir, `${name}.pem`)), name).to.equal(true);
        expect(existsSync(join(dir, `${name}.p12`)), name).to.equal(true);
        expect(readFileSync(join(dir, `${name}.pem`), 'utf8')).not.to.include('PRIVATE KEY');
      }
      for (const name of END_ENTITIES) {
        const chain = readFileSync(join(dir, `${name}.chain.pem`), 'utf8');
        expect(chain.match(/BEGIN CERTIFICATE/g)).to.have.length(2);
      }
    });

    it('openssl verify accepts the issuing CA and every end-entity certificate', function () {
      const root = join(dir, 'root-ca.pem');
      const issuing = join(dir, 'issuing-ca.pem');
      expect(openssl(['verify', '-CAfile', root, issuing]).stdout).to.include(': OK');
      for (const name of END_ENTITIES) {
        const res = openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          root,
          '-untrusted',
          issuing,
          join(dir, `${name}.pem`),
        ]);
        expect(res.stdout + res.stderr, name).to.include(': OK');
      }
    });

    it('openssl verify applies the EKU purposes (TSA: timestampsign, OCSP: ocsphelper)', function () {
      const args = ['-CAfile', join(dir, 'root-ca.pem'), '-untrusted', join(dir, 'issuing-ca.pem')];
      expect(
        openssl(['verify', ...args, '-purpose', 'timestampsign', join(dir, 'tsa.pem')]).stdout,
      ).to.include(': OK');
      const wrong = openssl([
        'verify',
        ...args,
        '-purpose',
        'timestampsign',
        join(dir, 'demo-seal.pem'),
      ]);
      expect(wrong.status).not.to.equal(0);
    });

    it('root and issuing CA carry CA basic constraints and keyCertSign', function () {
      const root = text(dir, 'root-ca');
      expect(root).to.match(/Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
      expect(root).to.match(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
      const issuing = text(dir, 'issuing-ca');
      expect(issuing).to.match(/CA:TRUE, pathlen:0/);
      expect(issuing).to.include(`CA Issuers - URI:${PUBLIC_URL}/pki/root-ca.cer`);
    });

    it('end entities carry AIA, CRL DP, policy, SKI/AKI and a signing key usage', function () {
      for (const name of END_ENTITIES) {
        const t = text(dir, name);
        expect(t, name).to.include(`OCSP - URI:${PUBLIC_URL}/pki/ocsp`);
        expect(t, name).to.include(`CA Issuers - URI:${PUBLIC_URL}/pki/issuing-ca.cer`);
        expect(t, name).to.include(`URI:${PUBLIC_URL}/pki/crl`);
        expect(t, name).to.match(/Policy: 1\.3\.6\.1\.4\.1\.55555\.1\.\d/);
        expect(t, name).to.include('Subject Key Identifier');
        expect(t, name).to.include('Authority Key Identifier');
        expect(t, name).to.match(/Basic Constraints: critical\s+CA:FALSE/);
        const serial = /Serial Number:\s*\n?\s*([0-9a-f:]+)/.exec(t)?.[1]?.replace(/:/g, '') ?? '';
        expect(serial.length, `${name} serial`).to.be.at.least(16);
      }
      expect(text(dir, 'demo-seal')).to.match(
        /Key Usage: critical\s+Digital Signature, Non Repudiation/,
      );
      expect(text(dir, 'demo-signer')).to.match(
        /Key Usage: critical\s+Digital Signature, Non Repudiation/,
      );
    });

    it('TSA has critical EKU timeStamping only; OCSP has OCSPSigning and ocsp-nocheck', function () {
      expect(text(dir, 'tsa')).to.match(/Extended Key Usage: critical\s+Time Stamping\s*\n/);
      const ocsp = text(dir, 'ocsp');
      expect(ocsp).to.match(/Extended Key Usage:\s+OCSP Signing/);
      expect(ocsp).to.include('OCSP No Check');
    });

    it('seal and signer subjects hold UTF-8 Vietnamese, organizationIdentifier and title', function () {
      const seal = text(dir, 'demo-seal');
      expect(seal).to.include('organizationIdentifier=000.00.00.H56');
      expect(seal).to.include('CN=UBND tỉnh Thanh Hóa');
      expect(seal).to.include('O=UBND tỉnh Thanh Hóa');
      const signer = text(dir, 'demo-signer');
      expect(signer).to.include('CN=Nguyễn Văn An');
      expect(signer).to.include('title=Chủ tịch');
      // UTF8String (tag 0x0c) in the DER, NFC-composed "ễ" = U+1EC5
      const parsed = openssl(['asn1parse', '-in', join(dir, 'demo-signer.pem')]).stdout;
      expect(parsed).to.include('UTF8STRING');
      expect(
        Buffer.from(
          readFileSync(join(dir, 'demo-signer.pem'), 'utf8').split('\n').slice(1, -2).join(''),
          'base64',
        ).includes(Buffer.from('Nguyễn'.normalize('NFC'))),
      ).to.equal(true);
    });

    it('validity follows the profile limits', function () {
      const years = (name: string) => {
        const end =
          openssl(['x509', '-in', join(dir, `${name}.pem`), '-noout', '-enddate']).stdout.split(
            '=',
          )[1] ?? '';
        const start =
          openssl(['x509', '-in', join(dir, `${name}.pem`), '-noout', '-startdate']).stdout.split(
            '=',
          )[1] ?? '';

        return (Date.parse(end) - Date.parse(start)) / (365.25 * 86_400_000);
      };
      expect(years('root-ca')).to.be.closeTo(20, 0.05);
      expect(years('issuing-ca')).to.be.closeTo(10, 0.05);
      expect(years('tsa')).to.be.closeTo(5, 0.05);
      expect(years('ocsp')).to.be.closeTo(5, 0.05);
      expect(years('demo-seal')).to.be.closeTo(3, 0.05);
      expect(years('demo-signer')).to.be.closeTo(3, 0.05);
    });

    it('PKCS#12 files open with OpenSSL 3 defaults (no -legacy) and with readPkcs12', function () {
      for (const name of ['root-ca', 'issuing-ca', ...END_ENTITIES]) {
        const res = openssl([
          'pkcs12',
          '-in',
          join(dir, `${name}.p12`),
          '-passin',
          `pass:${password}`,
          '-noout',
        ]);
        expect(res.status, `${name}: ${res.stderr}`).to.equal(0);
      }
      expect(
        openssl(['pkcs12', '-in', join(dir, 'demo-seal.p12'), '-passin', 'pass:wrong', '-noout'])
          .status,
      ).not.to.equal(0);
      const seal = loadIdentity(dir, 'demo-seal', password);
      expect(toPem(seal.certificate)).to.equal(readFileSync(join(dir, 'demo-seal.pem'), 'utf8'));
      expect(seal.chain).to.have.length(2);
      expect(seal.privateKey.asymmetricKeyType).to.equal(algorithm === 'p256' ? 'ec' : 'rsa');
    });

    it('reads a PKCS#12 written by openssl pkcs12 -export', function () {
      const key = join(dir, 'k.pem');
      const out = join(dir, 'openssl.p12');
      const seal = loadIdentity(dir, 'demo-seal', password);
      writeFileSync(key, seal.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const res = openssl([
        'pkcs12',
        '-export',
        '-inkey',
        key,
        '-in',
        join(dir, 'demo-seal.chain.pem'),
        '-out',
        out,
        '-passout',
        `pass:${PASSWORD}`,
      ]);
      expect(res.status, res.stderr).to.equal(0);
      const back = readPkcs12(readFileSync(out), PASSWORD);
      expect(Buffer.from(back.certificateChain[0]!).equals(Buffer.from(seal.certificate))).to.equal(
        true,
      );
      expect(back.certificateChain).to.have.length(2);
      expect(() => readPkcs12(readFileSync(out), 'nope-nope'))
        .to.throw(PkiError)
        .with.property('code', 'P12_BAD_PASSWORD');
    });

    it('a Vietnamese password opens PKCS#12 files both ways (openssl -export and ours)', function () {
      const vn = 'Mật khẩu ký số 2026';
      const key = join(dir, 'k-vn.pem');
      const out = join(dir, 'openssl-vn.p12');
      const seal = loadIdentity(dir, 'demo-seal', password);
      writeFileSync(key, seal.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const args = ['-inkey', key, '-in', join(dir, 'demo-seal.chain.pem'), '-out', out];
      const res = openssl(['pkcs12', '-export', ...args, '-passout', `pass:${vn}`]);
      expect(res.status, res.stderr).to.equal(0);
      // forge read the password of PBES2 one byte per character: "ậ" never matched
      expect(readPkcs12(readFileSync(out), vn).certificateChain).to.have.length(2);

      const ours = join(dir, 'ours-vn.p12');
      const { privateKey, certificate, chain } = seal;
      const p12 = exportPkcs12({ privateKey, certificate, chain, password: vn });
      writeFileSync(ours, p12);
      const opened = openssl(['pkcs12', '-in', ours, '-passin', `pass:${vn}`, '-nokeys']);
      expect(opened.status, opened.stderr).to.equal(0);
      expect(readPkcs12(p12, vn).certificateChain).to.have.length(1 + chain.length);
    });

    it('refuses to overwrite without force', async function () {
      let caught: unknown;
      try {
        await initHierarchy({ dir, algorithm, publicUrl: PUBLIC_URL });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(PkiError).with.property('code', 'PKI_FILES_EXIST');
    });

    // the same code for every algorithm: made once, where new keys cost milliseconds, not seconds
    if (algorithm === 'p256')
      it('overwrites with force', async function () {
        const before = readFileSync(join(dir, 'root-ca.pem'), 'utf8');
        const result = await initHierarchy({
          dir,
          algorithm,
          publicUrl: PUBLIC_URL,
          force: true,
          password: PASSWORD,
        });
        expect(result.passwordGenerated).to.equal(false);
        expect(readFileSync(join(dir, 'root-ca.pem'), 'utf8')).not.to.equal(before);
      });
  });
}

/**
 * A throw-away PKI for the validation tests, made with the openssl CLI only so that the
 * validator is checked against certificates it did not produce itself:
 *
 *   root ─ issuing CA ─┬─ signer-rsa (RSA-2048), signer-ec (P-256), signer-expired,
 *                      ├─ signer-revoked (revoked in index.txt → CRL + OCSP say so)
 *                      ├─ ocsp responder (EKU OCSPSigning), tsa (EKU timeStamping)
 *   other root ─ signer-untrusted
 *
 * Private keys live only in temp folders: the run's (built once per test run, removed at its
 * end) and each file's copy, which `cleanup()` removes.
 *
 * The signer profile deliberately has no CRL distribution point / AIA OCSP URL: revocation data
 * is always embedded by the tests, and an unreachable URL made NSS (pdfsig) fail its chain
 * check with "Unknown issue with Certificate or corrupted data" (the OCSP fetch error is what
 * poppler 22.12 reports), which hid pdfsig's chain verdict.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runDir, runTempDir } from './process.js';

export interface PkiCert {
  name: string;
  certPath: string;
  keyPath: string;
  certPem: string;
  certDer: Uint8Array;
}

export interface ValidationPki {
  dir: string;
  root: PkiCert;
  ca: PkiCert;
  otherRoot: PkiCert;
  signerRsa: PkiCert;
  signerEc: PkiCert;
  signerExpired: PkiCert;
  signerRevoked: PkiCert;
  signerUntrusted: PkiCert;
  ocsp: PkiCert;
  tsa: PkiCert;
  /** CRL of the issuing CA (lists signer-revoked), DER. */
  caCrl: Uint8Array;
  /** CRL of the root (empty), DER: revocation info for the issuing CA itself. */
  rootCrl: Uint8Array;
  /** OCSP response (DER) for `cert`, signed by the delegated responder. */
  ocspResponse(cert: PkiCert): Uint8Array;
  /** RFC 3161 TimeStampToken (DER ContentInfo) over a SHA-256 digest. */
  timestampToken(sha256: Uint8Array): Uint8Array;
  /** PKCS#12 (password "test") of a signer, for @signpdf/signer-p12. */
  p12(cert: PkiCert): Uint8Array;
  cleanup(): void;
}

/** In a built PKI: the folder it was built in, which its openssl configs name. */
const BUILT_IN = 'built-in';

function run(args: string[], cwd: string): Buffer {
  try {
    return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${stderr}`);
  }
}

const EXTENSIONS = `
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ signer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function caConfig(dir: string, name: string): string {
  return `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}/${name}.db
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
organizationIdentifier = optional
[ req ]
distinguished_name = dn
[ dn ]
${EXTENSIONS}
[ tsa_section ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = ${dir}/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

function genKey(dir: string, name: string, kind: 'rsa' | 'ec'): string {
  const keyPath = join(dir, `${name}.key`);
  const alg =
    kind === 'rsa'
      ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
      : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  run(['genpkey', ...alg, '-out', keyPath], dir);
  return keyPath;
}

function load(dir: string, name: string): PkiCert {
  const certPath = join(dir, `${name}.pem`);
  const certPem = readFileSync(certPath, 'utf8');
  return {
    name,
    certPath,
    keyPath: join(dir, `${name}.key`),
    certPem,
    certDer: new Uint8Array(new X509Certificate(certPem).raw),
  };
}

function initDb(dir: string, name: string): string {
  const db = join(dir, `${name}.db`);
  execFileSync('mkdir', ['-p', db]);
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(
    join(db, 'serial'),
    `${(0x10000000 + Math.floor(Math.random() * 0x0fffffff)).toString(16)}\n`,
  );
  writeFileSync(join(db, 'crlnumber'), '01\n');
  const cnf = join(dir, `${name}.cnf`);
  writeFileSync(cnf, caConfig(dir, name));
  return cnf;
}

function selfSigned(dir: string, name: string, subject: string): PkiCert {
  const key = genKey(dir, name, 'rsa');
  const cnf = initDb(dir, name);
  run(
    [
      'req',
      '-new',
      '-x509',
      '-config',
      cnf,
      '-extensions',
      'v3_ca',
      '-key',
      key,
      '-subj',
      subject,
      '-days',
      '3650',
      '-sha256',
      '-out',
      join(dir, `${name}.pem`),
    ],
    dir,
  );
  return load(dir, name);
}

interface IssueOptions {
  kind?: 'rsa' | 'ec';
  ext: 'v3_ca' | 'signer' | 'ocsp' | 'tsa';
  start?: string;
  end?: string;
}

function issue(
  dir: string,
  issuer: PkiCert,
  name: string,
  subject: string,
  o: IssueOptions,
): PkiCert {
  const key = genKey(dir, name, o.kind ?? 'rsa');
  const csr = join(dir, `${name}.csr`);
  run(
    [
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      subject,
      '-out',
      csr,
      '-config',
      join(dir, `${issuer.name}.cnf`),
    ],
    dir,
  );
  const dates = o.start && o.end ? ['-startdate', o.start, '-enddate', o.end] : ['-days', '365'];
  run(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(dir, `${issuer.name}.cnf`),
      '-extfile',
      join(dir, 'ext.cnf'),
      '-extensions',
      o.ext,
      '-cert',
      issuer.certPath,
      '-keyfile',
      issuer.keyPath,
      '-in',
      csr,
      '-out',
      join(dir, `${name}.pem`),
      ...dates,
    ],
    dir,
  );
  if (o.ext === 'v3_ca') initDb(dir, name);
  return load(dir, name);
}

function gencrl(dir: string, ca: PkiCert): void {
  const pem = join(dir, `${ca.name}.crl.pem`);
  run(
    [
      'ca',
      '-gencrl',
      '-config',
      join(dir, `${ca.name}.cnf`),
      '-cert',
      ca.certPath,
      '-keyfile',
      ca.keyPath,
      '-out',
      pem,
    ],
    dir,
  );
  run(['crl', '-in', pem, '-outform', 'DER', '-out', join(dir, `${ca.name}.crl`)], dir);
}

/** Builds the whole PKI in `dir` (seconds of CPU: nine key generations, ~40 openssl runs). */
function build(dir: string): void {
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  const root = selfSigned(dir, 'root', '/C=VN/O=LienThong Test/CN=LienThong Test Root CA');
  const ca = issue(dir, root, 'ca', '/C=VN/O=LienThong Test/CN=LienThong Test Issuing CA', {
    ext: 'v3_ca',
  });
  const otherRoot = selfSigned(dir, 'other-root', '/C=VN/O=Untrusted/CN=Untrusted Root CA');
  const signer = (name: string, cn: string, o: Partial<IssueOptions> = {}): PkiCert =>
    issue(
      dir,
      ca,
      name,
      `/C=VN/O=UBND Tinh Thanh Hoa/organizationIdentifier=VNTVN-0101234567/CN=${cn}`,
      { ext: 'signer', ...o },
    );
  signer('signer-rsa', 'Nguyen Van A');
  signer('signer-ec', 'Tran Thi B', { kind: 'ec' });
  signer('signer-expired', 'Le Van Het Han', {
    start: '20200101000000Z',
    end: '20210101000000Z',
  });
  const signerRevoked = signer('signer-revoked', 'Pham Van Thu Hoi');
  issue(dir, otherRoot, 'signer-untrusted', '/C=VN/CN=Khong Tin Cay', {
    ext: 'signer',
  });
  issue(dir, ca, 'ocsp', '/C=VN/O=LienThong Test/CN=LienThong OCSP', { ext: 'ocsp' });
  issue(dir, ca, 'tsa', '/C=VN/O=LienThong Test/CN=LienThong TSA', { ext: 'tsa' });
  run(
    [
      'ca',
      '-config',
      join(dir, 'ca.cnf'),
      '-cert',
      ca.certPath,
      '-keyfile',
      ca.keyPath,
      '-revoke',
      signerRevoked.certPath,
      '-crl_reason',
      'keyCompromise',
    ],
    dir,
  );
  gencrl(dir, ca);
  gencrl(dir, root);
  writeFileSync(join(dir, 'chain.pem'), ca.certPem + root.certPem);
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  writeFileSync(join(dir, BUILT_IN), dir);
}

/**
 * The run's PKI, built by the first test file that asks for one: every file then gets a copy of
 * it instead of nine fresh keys. Workers that ask at the same moment each build one; the first
 * rename wins and the others are dropped.
 */
function runTemplate(): string {
  const shared = join(runDir(), 'validation-pki');
  if (existsSync(shared)) return shared;
  const own = runTempDir('lt-vpki-build-');
  build(own);
  try {
    renameSync(own, shared);
  } catch {
    rmSync(own, { recursive: true, force: true });
  }
  return shared;
}

/** A PKI of its own in a new temp folder: a copy of the run's, its openssl configs moved along. */
export function createValidationPki(): ValidationPki {
  const template = runTemplate();
  const dir = runTempDir('lt-vpki-');
  cpSync(template, dir, { recursive: true });
  const builtIn = readFileSync(join(template, BUILT_IN), 'utf8');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.cnf')))
    writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replaceAll(builtIn, dir));
  const named = (name: string) => load(dir, name);
  const ca = named('ca');
  const ocsp = named('ocsp');
  const tsa = named('tsa');
  return {
    dir,
    root: named('root'),
    ca,
    otherRoot: named('other-root'),
    signerRsa: named('signer-rsa'),
    signerEc: named('signer-ec'),
    signerExpired: named('signer-expired'),
    signerRevoked: named('signer-revoked'),
    signerUntrusted: named('signer-untrusted'),
    ocsp,
    tsa,
    caCrl: new Uint8Array(readFileSync(join(dir, 'ca.crl'))),
    rootCrl: new Uint8Array(readFileSync(join(dir, 'root.crl'))),
    ocspResponse(cert) {
      const req = join(dir, `${cert.name}.ocspreq`);
      const resp = join(dir, `${cert.name}.ocspresp`);
      run(
        [
          'ocsp',
          '-sha256',
          '-issuer',
          ca.certPath,
          '-cert',
          cert.certPath,
          '-no_nonce',
          '-reqout',
          req,
        ],
        dir,
      );
      run(
        [
          'ocsp',
          '-index',
          join(dir, 'ca.db', 'index.txt'),
          '-rsigner',
          ocsp.certPath,
          '-rkey',
          ocsp.keyPath,
          '-CA',
          ca.certPath,
          '-reqin',
          req,
          '-respout',
          resp,
          '-ndays',
          '7',
        ],
        dir,
      );
      return new Uint8Array(readFileSync(resp));
    },
    timestampToken(sha256) {
      const q = join(dir, 'ts.tsq');
      const r = join(dir, 'ts.tst');
      run(
        [
          'ts',
          '-query',
          '-digest',
          Buffer.from(sha256).toString('hex'),
          '-sha256',
          '-cert',
          '-out',
          q,
        ],
        dir,
      );
      run(
        [
          'ts',
          '-reply',
          '-config',
          join(dir, 'ca.cnf'),
          '-section',
          'tsa_config',
          '-queryfile',
          q,
          '-inkey',
          tsa.keyPath,
          '-signer',
          tsa.certPath,
          '-chain',
          join(dir, 'chain.pem'),
          '-token_out',
          '-out',
          r,
        ],
        dir,
      );
      return new Uint8Array(readFileSync(r));
    },
    p12(cert) {
      const out = join(dir, `${cert.name}.p12`);
      run(
        [
          'pkcs12',
          '-export',
          '-inkey',
          cert.keyPath,
          '-in',
          cert.certPath,
          '-certfile',
          join(dir, 'chain.pem'),
          '-passout',
          'pass:test',
          '-out',
          out,
        ],
        dir,
      );
      return new Uint8Array(readFileSync(out));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Test PKI made with the openssl CLI only (independent of server/src/lib/pki): root CA → issuing CA →
 * signer certificates (RSA-2048 and EC P-256) and a TSA certificate, plus PKCS#12 files and a
 * tiny RFC 3161 server that answers with `openssl ts -reply`. Everything lives in a temp folder
 * made once per process; nothing is committed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const P12_PASSWORD = 'test-pass';

export type TestIdentity = {
  keyPem: string;
  keyPath: string;
  certPem: string;
  certPath: string;
  p12Path: string;
  /** DER, signer first, root last. */
  chain: Uint8Array[];
};

export type TestPki = {
  dir: string;
  rootPath: string;
  rootDer: Uint8Array;
  issuingPath: string;
  issuingDer: Uint8Array;
  rsa: TestIdentity;
  ec: TestIdentity;
  rsa2: TestIdentity;
  tsa: TestIdentity;
  tsaConfigPath: string;
};

function openssl(args: string[], cwd: string): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

const EXTENSIONS = `
[req]
distinguished_name = dn
utf8 = yes
string_mask = utf8only
[dn]
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[signer_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function genKey(dir: string, name: string, kind: 'rsa' | 'ec'): string {
  const path = join(dir, `${name}.key`);
  const args =
    kind === 'rsa'
      ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path]
      : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path];
  openssl(args, dir);
  return path;
}

function issue(
  dir: string,
  name: string,
  subject: string,
  kind: 'rsa' | 'ec',
  ext: string,
  ca: string,
): string {
  const key = genKey(dir, name, kind);
  openssl(
    ['req', '-new', '-key', key, '-subj', subject, '-config', 'ext.cnf', '-out', `${name}.csr`],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      'ext.cnf',
      '-extensions',
      ext,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return join(dir, `${name}.pem`);
}

function identity(dir: string, name: string, chainPems: string[]): TestIdentity {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  const chainFile = join(dir, `${name}-chain.pem`);
  writeFileSync(chainFile, chainPems.map((p) => readFileSync(p, 'utf8')).join(''));
  const p12Path = join(dir, `${name}.p12`);
  openssl(
    [
      'pkcs12',
      '-export',
      '-inkey',
      keyPath,
      '-in',
      certPath,
      '-certfile',
      chainFile,
      '-name',
      name,
      '-passout',
      `pass:${P12_PASSWORD}`,
      '-out',
      p12Path,
    ],
    dir,
  );
  const certPem = readFileSync(certPath, 'utf8');
  return {
    keyPem: readFileSync(keyPath, 'utf8'),
    keyPath,
    certPem,
    certPath,
    p12Path,
    chain: [certPath, ...chainPems].map((p) => pemToDer(readFileSync(p, 'utf8'))),
  };
}

function tsaConfig(dir: string): string {
  const path = join(dir, 'tsa.cnf');
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    path,
    `[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = ${dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa-chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
  return path;
}

function build(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-pki-'));
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  const rootKey = genKey(dir, 'root', 'rsa');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      rootKey,
      '-subj',
      '/C=VN/O=LienThong Test/CN=LienThong Test Root CA',
      '-days',
      '3650',
      '-sha256',
      '-config',
      'ext.cnf',
      '-extensions',
      'ca_ext',
      '-out',
      'root.pem',
    ],
    dir,
  );
  const rootPath = join(dir, 'root.pem');
  const issuingPath = issue(
    dir,
    'issuing',
    '/C=VN/O=LienThong Test/CN=LienThong Issuing CA',
    'rsa',
    'ca_ext',
    'root',
  );
  const subj = (cn: string): string => `/C=VN/O=UBND tỉnh Thanh Hóa/CN=${cn}`;
  issue(dir, 'rsa', subj('Nguyễn Văn An'), 'rsa', 'signer_ext', 'issuing');
  issue(dir, 'rsa2', subj('UBND tỉnh Thanh Hóa (seal)'), 'rsa', 'signer_ext', 'issuing');
  issue(dir, 'ec', subj('Trần Thị Bình'), 'ec', 'signer_ext', 'issuing');
  issue(dir, 'tsa', '/C=VN/O=LienThong Test/CN=LienThong Test TSA', 'rsa', 'tsa_ext', 'issuing');
  const chain = [issuingPath, rootPath];
  const pki: TestPki = {
    dir,
    rootPath,
    rootDer: pemToDer(readFileSync(rootPath, 'utf8')),
    issuingPath,
    issuingDer: pemToDer(readFileSync(issuingPath, 'utf8')),
    rsa: identity(dir, 'rsa', chain),
    rsa2: identity(dir, 'rsa2', chain),
    ec: identity(dir, 'ec', chain),
    tsa: identity(dir, 'tsa', chain),
    tsaConfigPath: tsaConfig(dir),
  };
  return pki;
}

let cached: TestPki | undefined;

/** The test PKI of this process (built on first use, removed at exit). */
export function testPki(): TestPki {
  if (!cached) {
    const pki = build();
    cached = pki;
    process.once('exit', () => rmSync(pki.dir, { recursive: true, force: true }));
  }
  return cached;
}

/** Makes `dir` an NSS database (pdfsig's trust store) trusting one root certificate. */
export function nssTrusting(dir: string, rootPath: string): void {
  execFileSync('certutil', ['-N', '--empty-password', '-d', `sql:${dir}`]);
  execFileSync('certutil', [
    '-A',
    '-d',
    `sql:${dir}`,
    '-n',
    'root',
    '-t',
    'CT,C,C',
    '-i',
    rootPath,
  ]);
}

/** An NSS database trusting the test root, for pdfsig. */
export function nssDatabase(pki: TestPki): string {
  const dir = join(pki.dir, 'nss');
  try {
    readFileSync(join(dir, 'cert9.db'));
    return dir;
  } catch {
    execFileSync('mkdir', ['-p', dir]);
    nssTrusting(dir, pki.rootPath);
    return dir;
  }
}

export type TestTsa = { url: string; requests: number; close(): Promise<void> };

/** Answers RFC 3161 queries on 127.0.0.1 by spawning `openssl ts -reply`. */
export async function startTestTsa(pki: TestPki): Promise<TestTsa> {
  let counter = 0;
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      const n = ++counter;
      const query = join(pki.dir, `q${process.pid}-${n}.tsq`);
      const reply = join(pki.dir, `r${process.pid}-${n}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      const child = spawn(
        'openssl',
        ['ts', '-reply', '-config', pki.tsaConfigPath, '-queryfile', query, '-out', reply],
        {
          stdio: 'ignore',
        },
      );
      child.on('close', (code) => {
        if (code !== 0) {
          res.writeHead(500).end();
          return;
        }
        const body = readFileSync(reply);
        rmSync(query, { force: true });
        rmSync(reply, { force: true });
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

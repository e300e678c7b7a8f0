import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import {
  generateKeyPair,
  createKeySigner,
  type KeyAlgorithm,
  type KeySigner,
} from './key-signer.js';
import { issueCertificate } from './certificate.js';
import type { CertificateKind } from './profiles.js';
import type { DistinguishedName } from './names.js';
import { assertStrongKey } from './key-strength.js';
import { toPem } from './pem.js';
import { exportPkcs12, readPkcs12 } from './pkcs12.js';

export type InitHierarchyOptions = {
  dir: string;
  algorithm: KeyAlgorithm;
  password?: string;
  force?: boolean;
  publicUrl: string;
  now?: Date;
};

export type InitHierarchyResult = { password: string; passwordGenerated: boolean; files: string[] };

const PRODUCT = 'LiênThông';
const DEMO_ORG = 'UBND tỉnh Thanh Hóa';

/** End-entity certificates of the dev hierarchy: file name → profile and subject. */
export const DEMO_END_ENTITIES: readonly {
  name: string;
  kind: CertificateKind;
  subject: DistinguishedName;
}[] = [
  {
    name: 'tsa',
    kind: 'tsa',
    subject: { country: 'VN', organization: PRODUCT, commonName: `${PRODUCT} TSA` },
  },
  {
    name: 'ocsp',
    kind: 'ocsp',
    subject: { country: 'VN', organization: PRODUCT, commonName: `${PRODUCT} OCSP Responder` },
  },
  {
    name: 'demo-seal',
    kind: 'organization-seal',
    subject: {
      country: 'VN',
      organization: DEMO_ORG,
      organizationIdentifier: '000.00.00.H56',
      commonName: DEMO_ORG,
    },
  },
  {
    name: 'demo-signer',
    kind: 'personal-signer',
    subject: {
      country: 'VN',
      organization: DEMO_ORG,
      title: 'Chủ tịch',
      commonName: 'Nguyễn Văn An',
    },
  },
];

function targetFiles(dir: string): string[] {
  const names = ['root-ca.pem', 'root-ca.p12', 'issuing-ca.pem', 'issuing-ca.p12'];
  for (const ee of DEMO_END_ENTITIES)
    names.push(`${ee.name}.pem`, `${ee.name}.chain.pem`, `${ee.name}.p12`);

  return names.map((name) => join(dir, name));
}

function checkInput(options: InitHierarchyOptions): void {
  if (!/^https?:\/\/[^\s]+$/.test(options.publicUrl)) {
    throw new PkiError(
      'PKI_BAD_PUBLIC_URL',
      `publicUrl must be an http(s) URL such as https://hub.example.vn, got "${options.publicUrl}".`,
    );
  }
  if (options.password !== undefined && options.password.length < 8) {
    throw new PkiError('PKI_WEAK_PASSWORD', 'The PKCS#12 password must be at least 8 characters.');
  }
  const existing = targetFiles(options.dir).filter((file) => existsSync(file));
  if (existing.length > 0 && !options.force) {
    throw new PkiError(
      'PKI_FILES_EXIST',
      `${existing.length} hierarchy file(s) already exist in ${options.dir} (e.g. ${existing[0]}); pass force to overwrite.`,
    );
  }
}

/**
 * Create a dev/test hierarchy Root CA → Issuing CA → TSA, OCSP, demo seal, demo signer in
 * `dir`. Private keys only ever land on disk inside password-protected PKCS#12 files.
 */
export async function initHierarchy(options: InitHierarchyOptions): Promise<InitHierarchyResult> {
  checkInput(options);
  const password = options.password ?? randomBytes(18).toString('base64url');
  const { algorithm, publicUrl, now } = options;
  const write = (name: string, data: string | Uint8Array, mode = 0o644) => {
    writeFileSync(join(options.dir, name), data, { mode });
    files.push(join(options.dir, name));
  };
  const files: string[] = [];
  mkdirSync(options.dir, { recursive: true });

  const rootKeys = generateKeyPair(algorithm);
  const rootSigner = createKeySigner(rootKeys.privateKey);
  const root = await issueCertificate({
    kind: 'root-ca',
    subject: { country: 'VN', organization: PRODUCT, commonName: `${PRODUCT} Root CA (dev)` },
    publicKey: rootKeys.publicKey,
    issuer: { signer: rootSigner },
    publicUrl,
    now,
  });
  const issuingKeys = generateKeyPair(algorithm);
  const issuing = await issueCertificate({
    kind: 'issuing-ca',
    subject: { country: 'VN', organization: PRODUCT, commonName: `${PRODUCT} Issuing CA (dev)` },
    publicKey: issuingKeys.publicKey,
    issuer: { certificate: root.der, signer: rootSigner },
    publicUrl,
    now,
  });
  write('root-ca.pem', toPem(root.der));
  write(
    'root-ca.p12',
    exportPkcs12({
      privateKey: rootKeys.privateKey,
      certificate: root.der,
      password,
      friendlyName: 'root-ca',
    }),
    0o600,
  );
  write('issuing-ca.pem', toPem(issuing.der));
  write(
    'issuing-ca.p12',
    exportPkcs12({
      privateKey: issuingKeys.privateKey,
      certificate: issuing.der,
      chain: [root.der],
      password,
      friendlyName: 'issuing-ca',
    }),
    0o600,
  );
  const issuer = { certificate: issuing.der, signer: createKeySigner(issuingKeys.privateKey) };
  for (const ee of DEMO_END_ENTITIES) {
    const keys = generateKeyPair(algorithm);
    const cert = await issueCertificate({
      kind: ee.kind,
      subject: ee.subject,
      publicKey: keys.publicKey,
      issuer,
      publicUrl,
      now,
    });
    write(`${ee.name}.pem`, toPem(cert.der));
    write(`${ee.name}.chain.pem`, toPem(cert.der) + toPem(issuing.der));
    write(
      `${ee.name}.p12`,
      exportPkcs12({
        privateKey: keys.privateKey,
        certificate: cert.der,
        chain: [issuing.der, root.der],
        password,
        friendlyName: ee.name,
      }),
      0o600,
    );
  }

  return { password, passwordGenerated: options.password === undefined, files };
}

export type LoadedIdentity = {
  certificate: Uint8Array;
  chain: Uint8Array[];
  privateKey: KeyObject;
  signer: KeySigner;
};

/** Read one identity (`root-ca`, `issuing-ca`, `tsa`, `ocsp`, …) written by initHierarchy. */
export function loadIdentity(dir: string, name: string, password: string): LoadedIdentity {
  const file = join(dir, `${name}.p12`);
  if (!existsSync(file)) {
    throw new PkiError(
      'PKI_IDENTITY_MISSING',
      `${file} does not exist; run "lienthong certs init --dir ${dir}" first.`,
    );
  }
  const { privateKey, certificateChain } = readPkcs12(readFileSync(file), password);
  const [certificate, ...chain] = certificateChain;
  // imported identities (PKI_DIR) obey the same rule as every other key
  assertStrongKey(privateKey, 'PKCS#12 key');

  return { certificate: certificate!, chain, privateKey, signer: createKeySigner(privateKey) };
}

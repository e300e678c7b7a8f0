import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubContext } from '../../context.js';
import {
  certificateSerialHex,
  createKeySigner,
  fingerprintSha256,
  fromPem,
  generateKeyPair,
  issueCertificate,
  KEY_ALGORITHMS,
  loadIdentity,
  OID,
  openPrivateKey,
  parseCertificate,
  readName,
  sealPrivateKey,
  type KeyAlgorithm,
  type KeySigner,
} from '../../lib/pki/index.js';
import { toBytes } from './bytes.js';
import {
  Hierarchies,
  IssuedCertificates,
  PkiCounters,
  type CaKind,
  type CaRecordDoc,
  type HierarchyDoc,
  type SealedKeyDoc,
} from './models.js';

/** One CA-side identity of the hub, key opened in memory (never logged, never returned). */
export type CaIdentity = {
  certificate: Uint8Array;
  serialHex: string;
  privateKey: KeyObject;
  signer: KeySigner;
};

export type HubPki = Record<CaKind, CaIdentity> & { source: HierarchyDoc['source'] };

const PRODUCT = 'LiênThông';

// One loaded hierarchy per running hub (tests run several hubs in one process).

export function sealKey(ctx: HubContext, privateKey: KeyObject): SealedKeyDoc {
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const sealed = sealPrivateKey(new Uint8Array(pkcs8), ctx.secrets.master);

  return {
    iv: Buffer.from(sealed.iv),
    tag: Buffer.from(sealed.tag),
    ciphertext: Buffer.from(sealed.ciphertext),
  };
}

export function openKey(ctx: HubContext, sealed: SealedKeyDoc): KeyObject {
  const pkcs8 = openPrivateKey(
    { iv: toBytes(sealed.iv), tag: toBytes(sealed.tag), ciphertext: toBytes(sealed.ciphertext) },
    ctx.secrets.master,
  );

  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

function caRecord(
  ctx: HubContext,
  kind: CaKind,
  certificate: Uint8Array,
  privateKey: KeyObject,
): CaRecordDoc {
  const cert = parseCertificate(certificate);

  return {
    kind,
    certificate: Buffer.from(certificate),
    serialHex: certificateSerialHex(cert),
    notAfter: cert.notAfter.value,
    sealedKey: sealKey(ctx, privateKey),
  };
}

function hierarchyAlgorithm(): KeyAlgorithm {
  const wanted = process.env.PKI_ALGORITHM ?? 'rsa2048';
  if (!(KEY_ALGORITHMS as readonly string[]).includes(wanted)) {
    throw new Error(`PKI_ALGORITHM phải là một trong ${KEY_ALGORITHMS.join(', ')}.`);
  }

  return wanted as KeyAlgorithm;
}

/** Root → issuing → TSA + OCSP responder, all in memory; nothing is stored yet. */
async function generateRecords(ctx: HubContext): Promise<CaRecordDoc[]> {
  const algorithm = hierarchyAlgorithm();
  const publicUrl = ctx.config.publicUrl;
  const name = (commonName: string) => ({ country: 'VN', organization: PRODUCT, commonName });
  const rootKeys = generateKeyPair(algorithm);
  const rootSigner = createKeySigner(rootKeys.privateKey);
  const root = await issueCertificate({
    kind: 'root-ca',
    subject: name(`${PRODUCT} Root CA`),
    publicKey: rootKeys.publicKey,
    issuer: { signer: rootSigner },
    publicUrl,
  });
  const issuingKeys = generateKeyPair(algorithm);
  const issuing = await issueCertificate({
    kind: 'issuing-ca',
    subject: name(`${PRODUCT} Issuing CA`),
    publicKey: issuingKeys.publicKey,
    issuer: { certificate: root.der, signer: rootSigner },
    publicUrl,
  });
  const issuer = { certificate: issuing.der, signer: createKeySigner(issuingKeys.privateKey) };
  const records = [
    caRecord(ctx, 'root', root.der, rootKeys.privateKey),
    caRecord(ctx, 'issuing', issuing.der, issuingKeys.privateKey),
  ];
  for (const [kind, cn] of [
    ['tsa', `${PRODUCT} TSA`],
    ['ocsp', `${PRODUCT} OCSP Responder`],
  ] as const) {
    const keys = generateKeyPair(algorithm);
    const cert = await issueCertificate({
      kind,
      subject: name(cn),
      publicKey: keys.publicKey,
      issuer,
      publicUrl,
    });
    records.push(caRecord(ctx, kind, cert.der, keys.privateKey));
  }

  return records;
}

function pkiPassword(dir: string): string {
  const password = process.env.PKI_PASSWORD;
  if (!password) {
    throw new Error(
      `PKI_DIR=${dir} cần biến môi trường PKI_PASSWORD (mật khẩu các tệp .p12 của "lienthong certs init").`,
    );
  }

  return password;
}

/** The output of `lienthong certs init` (PKI_DIR), keys re-sealed under the master key. */
function importRecords(ctx: HubContext, dir: string): CaRecordDoc[] {
  const password = pkiPassword(dir);
  const files: Record<CaKind, string> = {
    root: 'root-ca',
    issuing: 'issuing-ca',
    tsa: 'tsa',
    ocsp: 'ocsp',
  };

  return (Object.keys(files) as CaKind[]).map((kind) => {
    const identity = loadIdentity(dir, files[kind], password);

    return caRecord(ctx, kind, identity.certificate, identity.privateKey);
  });
}

function openHierarchy(ctx: HubContext, doc: HierarchyDoc): HubPki {
  const out: Partial<Record<CaKind, CaIdentity>> = {};
  for (const ca of doc.cas) {
    const privateKey = openKey(ctx, ca.sealedKey);
    out[ca.kind] = {
      certificate: toBytes(ca.certificate),
      serialHex: ca.serialHex,
      privateKey,
      signer: createKeySigner(privateKey),
    };
  }
  const { root, issuing, tsa, ocsp } = out;
  if (!root || !issuing || !tsa || !ocsp) {
    throw new Error('Bản ghi hệ thống CA trong MongoDB thiếu root/issuing/tsa/ocsp.');
  }

  return { root, issuing, tsa, ocsp, source: doc.source };
}

type IssuedSeed = { kind: 'tsa' | 'ocsp' | 'seal' | 'personal'; der: Uint8Array };

/** Certificates the hub's CA issued outside the API, so OCSP answers "good" for them. */
export async function recordIssued(ctx: HubContext, seeds: IssuedSeed[]): Promise<void> {
  for (const seed of seeds) {
    const cert = parseCertificate(seed.der);
    const name = readName(cert.subject);
    const serialHex = certificateSerialHex(cert);
    const fields = {
      serialHex,
      kind: seed.kind,
      orgId: null,
      userId: null,
      subject: {
        commonName: name.commonName,
        ...(name.organization ? { organization: name.organization } : {}),
        ...(name.organizationIdentifier
          ? { organizationIdentifier: name.organizationIdentifier }
          : {}),
        ...(name.title ? { title: name.title } : {}),
      },
      algorithm: cert.subjectPublicKeyInfo.algorithm.algorithmId,
      notBefore: cert.notBefore.value,
      notAfter: cert.notAfter.value,
      status: 'good',
      revokedAt: null,
      reason: null,
      revokedBy: null,
      keyOnHub: false,
      certificate: Buffer.from(seed.der),
      fingerprintSha256: fingerprintSha256(seed.der),
      issuedBy: null,
    };
    try {
      await IssuedCertificates(ctx.db.conn).updateOne(
        { serialHex },
        { $setOnInsert: fields },
        { upsert: true },
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }
}

function demoSeeds(dir: string | undefined): IssuedSeed[] {
  if (!dir) return [];
  const seeds: IssuedSeed[] = [];
  for (const [file, kind] of [
    ['demo-seal.pem', 'seal'],
    ['demo-signer.pem', 'personal'],
  ] as const) {
    const path = join(dir, file);
    if (existsSync(path)) seeds.push({ kind, der: fromPem(readFileSync(path, 'latin1')) });
  }

  return seeds;
}

async function createOrLoad(ctx: HubContext): Promise<HierarchyDoc> {
  const model = Hierarchies(ctx.db.conn);
  // lean() types Buffer fields as BSON Binary; toBytes() reads either.
  const existing = (await model.findOne({ key: 'hub' }).lean()) as HierarchyDoc | null;
  if (existing) return existing;
  const dir = ctx.config.PKI_DIR;
  const cas = dir ? importRecords(ctx, dir) : await generateRecords(ctx);
  try {
    const created = await model.create({ key: 'hub', source: dir ? 'imported' : 'generated', cas });
    ctx.log.info(
      { source: created.source, root: cas[0]?.serialHex },
      'PKI: created the hub CA hierarchy',
    );

    return created.toObject();
  } catch (err) {
    // Another hub node won the race on the unique key: use its hierarchy, drop ours.
    if ((err as { code?: number }).code !== 11000) throw err;
    const winner = (await model.findOne({ key: 'hub' }).lean()) as HierarchyDoc | null;
    if (!winner) throw err;

    return winner;
  }
}

/**
 * A hierarchy made before the root published its CRL (issuing CA without a CRL distribution
 * point) keeps working: the hub still embeds the root's CRL in its B-LT signatures and serves
 * it at /pki/root-ca.crl. Only relying parties that fetch revocation data themselves miss it;
 * docs/pki.md says how to re-create the hierarchy.
 */
function warnIfNoRootCrlPointer(ctx: HubContext, pki: HubPki): void {
  const issuing = parseCertificate(pki.issuing.certificate);
  if (issuing.extensions?.some((e) => e.extnID === OID.crlDistributionPoints)) return;
  ctx.log.warn(
    { issuing: pki.issuing.serialHex },
    'PKI: the issuing CA certificate has no CRL distribution point (made before the root published its CRL); see docs/pki.md "Revocation of CA certificates"',
  );
}

/**
 * HubModule.init: make sure the hub has exactly one CA hierarchy (create it, import PKI_DIR, or
 * load the stored one) and open its keys with the master key.
 */
export async function initHierarchy(
  ctx: HubContext,
  state: { hierarchy?: Promise<HubPki> } = ctx.services.pki,
): Promise<HubPki> {
  const conn = ctx.db.conn;
  // The unique index must exist before the first insert, or two starts could both succeed.
  await Promise.all([
    Hierarchies(conn).init(),
    IssuedCertificates(conn).init(),
    PkiCounters(conn).init(),
  ]);
  const doc = await createOrLoad(ctx);
  const pki = openHierarchy(ctx, doc);
  warnIfNoRootCrlPointer(ctx, pki);
  await recordIssued(ctx, [
    { kind: 'tsa', der: pki.tsa.certificate },
    { kind: 'ocsp', der: pki.ocsp.certificate },
    ...(doc.source === 'imported' ? demoSeeds(ctx.config.PKI_DIR) : []),
  ]);
  state.hierarchy = Promise.resolve(pki);

  return pki;
}

/** The hub's opened hierarchy (the module's init opened it). */
export function hubPki(ctx: HubContext): Promise<HubPki> {
  const state = ctx.services.pki;
  if (!state.hierarchy) {
    const pending = initHierarchy(ctx);
    pending.catch(() => (state.hierarchy = undefined));
    state.hierarchy = pending;
  }

  return state.hierarchy;
}

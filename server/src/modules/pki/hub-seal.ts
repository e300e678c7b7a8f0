import type { KeyObject } from 'node:crypto';
import { Schema, Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { oneOf, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';
import { generateKeyPair, issueCertificate, type KeyAlgorithm } from '../../lib/pki/index.js';
import { toBytes } from './bytes.js';
import { hubPki, openKey, recordIssued, sealKey } from './hub-hierarchy.js';
import { IssuedCertificates, type SealedKeyDoc } from './models.js';

/**
 * The hub's own end-entity seal for edXML packages of organizations that have no seal: a CA key
 * must sign certificates, never content. One document under a fixed unique key, like the
 * hierarchy: inserting it is the commit point, so two nodes creating it at once end up with one.
 */
type HubSealDoc = {
  _id: Types.ObjectId;
  key: 'edxml';
  certificate: Buffer;
  serialHex: string;
  notAfter: Date;
  sealedKey: SealedKeyDoc;
  createdAt: Date;
};

const sealedKeySchema = new Schema<SealedKeyDoc>(
  { iv: required(Buffer), tag: Buffer, ciphertext: Buffer },
  { _id: false },
);

const schema = new Schema<HubSealDoc>(
  {
    key: oneOf(['edxml'], { unique: true }),
    certificate: required(Buffer),
    serialHex: required(String),
    notAfter: required(Date),
    sealedKey: required(sealedKeySchema),
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw', versionKey: false },
);

export const HubSeals = defineModel<HubSealDoc>('PkiHubSeal', schema);

export type HubSeal = {
  certificate: Uint8Array;
  /** Issuing CA certificate, for receivers that only know the root. */
  chain: Uint8Array[];
  privateKey: KeyObject;
  serialHex: string;
  subject: string;
};

export const HUB_SEAL_SUBJECT = 'LiênThông edXML Seal';
/** Renewed this long before it expires, so a package is never signed by an expiring seal. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** Same key type as the hierarchy (PKI_ALGORITHM), read from the issuing CA's key. */
function algorithmOf(issuingKey: KeyObject): KeyAlgorithm {
  if (issuingKey.asymmetricKeyType === 'ec') return 'p256';

  return (issuingKey.asymmetricKeyDetails?.modulusLength ?? 2048) >= 3072 ? 'rsa3072' : 'rsa2048';
}

async function issue(ctx: HubContext): Promise<Omit<HubSealDoc, '_id' | 'createdAt'>> {
  const pki = await hubPki(ctx);
  const keys = generateKeyPair(algorithmOf(pki.issuing.privateKey));
  const issued = await issueCertificate({
    kind: 'organization-seal',
    subject: { country: 'VN', organization: 'LiênThông', commonName: HUB_SEAL_SUBJECT },
    publicKey: keys.publicKey,
    issuer: { certificate: pki.issuing.certificate, signer: pki.issuing.signer },
    publicUrl: ctx.config.publicUrl,
  });

  return {
    key: 'edxml',
    certificate: Buffer.from(issued.der),
    serialHex: issued.serialHex,
    notAfter: issued.notAfter,
    sealedKey: sealKey(ctx, keys.privateKey),
  };
}

async function usable(ctx: HubContext, doc: HubSealDoc): Promise<boolean> {
  if (doc.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) return false;
  const record = await IssuedCertificates(ctx.db.conn)
    .findOne({ serialHex: doc.serialHex })
    .select('status')
    .lean();

  return record?.status !== 'revoked';
}

function current(ctx: HubContext): Promise<HubSealDoc | null> {
  return HubSeals(ctx.db.conn).findOne({ key: 'edxml' }).lean() as Promise<HubSealDoc | null>;
}

/** The unique index must exist before the first insert, or two nodes could both insert. */
function ensureIndex(ctx: HubContext): Promise<unknown> {
  const state = ctx.services.pki;
  state.sealIndexed ??= HubSeals(ctx.db.conn).init();

  return state.sealIndexed;
}

/**
 * The stored seal, created when there is none and replaced when it is revoked or about to
 * expire. Creation relies on the unique key and replacement is conditional on the serial it
 * replaces: of two nodes doing either at once, one wins and the other loads the winner's.
 */
async function loadOrCreate(ctx: HubContext): Promise<HubSealDoc> {
  await ensureIndex(ctx);
  const existing = await current(ctx);
  if (existing && (await usable(ctx, existing))) return existing;
  const fresh = await issue(ctx);
  const model = HubSeals(ctx.db.conn);
  if (existing) {
    const replaced = (await model
      .findOneAndUpdate(
        { key: 'edxml', serialHex: existing.serialHex },
        { $set: fresh },
        { new: true },
      )
      .lean()) as HubSealDoc | null;

    return replaced ?? (await current(ctx))!;
  }
  try {
    return (await model.create(fresh)).toObject();
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;

    return (await current(ctx))!;
  }
}

/**
 * The hub's edXML seal certificate (organization-seal profile: end entity, digitalSignature +
 * nonRepudiation, issued by the issuing CA) with its key opened. Recorded as issued, so the
 * hub's OCSP responder answers for it and a hub administrator can revoke it: the next call
 * makes a new one. Each call reads the record (two small lookups); the key is opened once.
 */
export async function hubEdxmlSeal(ctx: HubContext): Promise<HubSeal> {
  const doc = await loadOrCreate(ctx);
  const cached = ctx.services.pki.seal;
  if (cached?.serialHex === doc.serialHex) return cached;
  const certificate = toBytes(doc.certificate);
  await recordIssued(ctx, [{ kind: 'seal', der: certificate }]);
  const pki = await hubPki(ctx);
  const seal: HubSeal = {
    certificate,
    chain: [pki.issuing.certificate],
    privateKey: openKey(ctx, doc.sealedKey),
    serialHex: doc.serialHex,
    subject: HUB_SEAL_SUBJECT,
  };
  ctx.services.pki.seal = seal;

  return seal;
}

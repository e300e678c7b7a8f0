import { Schema, Types } from 'mongoose';
import {
  CERTIFICATE_KINDS,
  CERTIFICATE_STATUSES,
  type TCertificateKind,
  type TCertificateStatus,
  type TCertificateSubject,
} from '../../contracts/pki.js';
import { ObjectId, nullable, oneOf, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

/** AES-256-GCM output of sealPrivateKey, as Mongo stores it. */
export type SealedKeyDoc = { iv: Buffer; tag: Buffer; ciphertext: Buffer };

const sealedKeySchema = new Schema<SealedKeyDoc>(
  { iv: required(Buffer), tag: Buffer, ciphertext: Buffer },
  { _id: false },
);

export const CA_KINDS = ['root', 'issuing', 'tsa', 'ocsp'] as const;
export type CaKind = (typeof CA_KINDS)[number];

export type CaRecordDoc = {
  kind: CaKind;
  certificate: Buffer;
  serialHex: string;
  notAfter: Date;
  sealedKey: SealedKeyDoc;
};

/**
 * The hub's whole hierarchy in ONE document under a fixed unique key: inserting it is the
 * commit point, so two hubs starting at once cannot both create a root (the loser gets a
 * duplicate-key error and reloads the winner's).
 */
export type HierarchyDoc = {
  _id: Types.ObjectId;
  key: 'hub';
  source: 'generated' | 'imported';
  cas: CaRecordDoc[];
  createdAt: Date;
};

const hierarchySchema = new Schema<HierarchyDoc>(
  {
    key: oneOf(['hub'], { unique: true }),
    source: oneOf(['generated', 'imported']),
    cas: [
      new Schema<CaRecordDoc>(
        {
          kind: oneOf(CA_KINDS),
          certificate: required(Buffer),
          serialHex: required(String),
          notAfter: required(Date),
          sealedKey: required(sealedKeySchema),
        },
        { _id: false },
      ),
    ],
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);

export const Hierarchies = defineModel<HierarchyDoc>('PkiHierarchy', hierarchySchema);

export type IssuedDoc = {
  _id: Types.ObjectId;
  serialHex: string;
  kind: TCertificateKind;
  orgId: Types.ObjectId | null;
  userId: Types.ObjectId | null;
  subject: TCertificateSubject;
  algorithm: string;
  notBefore: Date;
  notAfter: Date;
  status: TCertificateStatus;
  revokedAt: Date | null;
  reason: number | null;
  revokedBy: Types.ObjectId | null;
  /** True when the private key is sealed below; false for CSR-issued certificates. */
  keyOnHub: boolean;
  sealedKey?: SealedKeyDoc;
  certificate: Buffer;
  fingerprintSha256: string;
  issuedBy: Types.ObjectId | null;
  createdAt: Date;
};

const issuedSchema = new Schema<IssuedDoc>(
  {
    serialHex: required(String, { unique: true }),
    kind: oneOf(CERTIFICATE_KINDS),
    orgId: nullable(ObjectId, { index: true }),
    userId: nullable(ObjectId, { index: true }),
    subject: {
      commonName: required(String),
      organization: String,
      organizationIdentifier: String,
      title: String,
    },
    algorithm: required(String),
    notBefore: required(Date),
    notAfter: required(Date),
    status: oneOf(CERTIFICATE_STATUSES, { default: 'good' }),
    revokedAt: nullable(Date),
    reason: nullable(Number),
    revokedBy: nullable(ObjectId),
    keyOnHub: required(Boolean),
    // Never selected unless asked for by name: lists and presenters cannot leak it by accident.
    sealedKey: { type: sealedKeySchema, select: false },
    certificate: required(Buffer),
    fingerprintSha256: required(String),
    issuedBy: nullable(ObjectId),
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);
issuedSchema.index({ status: 1, notAfter: 1 });

export const IssuedCertificates = defineModel<IssuedDoc>('PkiCertificate', issuedSchema);

export type CounterDoc = { _id: string; value: number };

const counterSchema = new Schema<CounterDoc>(
  { _id: required(String), value: required(Number) },
  { strict: 'throw', versionKey: false },
);

export const PkiCounters = defineModel<CounterDoc>('PkiCounter', counterSchema);

/**
 * Next value of a named counter: one atomic `$inc` on one document, so concurrent callers
 * (in this process or on other hub nodes) each get a distinct, strictly larger number.
 */
export async function nextCounter(
  conn: Parameters<typeof PkiCounters>[0],
  name: 'tsa-serial' | 'crl-number',
): Promise<bigint> {
  const update = () =>
    PkiCounters(conn)
      .findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, new: true })
      .lean();
  let doc: CounterDoc | null;
  try {
    doc = await update();
  } catch (err) {
    // Two first-ever upserts can race on the _id; the loser's retry increments the winner's.
    if ((err as { code?: number }).code !== 11000) throw err;
    doc = await update();
  }

  return BigInt(doc!.value);
}

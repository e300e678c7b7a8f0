import { Schema, Types } from 'mongoose';
import {
  CONFIDENTIALITIES,
  DOCUMENT_STATUSES,
  URGENCIES,
  type TDocumentMeta,
  type TDocumentStatus,
  type TDocumentVersion,
  type TSignatureInfo,
} from '../../contracts/documents.js';
import { defineModel } from '../../db/model.js';

export type VersionDoc = {
  _id: Types.ObjectId;
  fileId: Types.ObjectId;
  fileName: string;
  size: number;
  sha256: string;
  createdAt: Date;
  createdBy: Types.ObjectId;
  reason: TDocumentVersion['reason'];
  signature?: TSignatureInfo;
  idempotencyKey?: string;
};

export type StoredMeta = TDocumentMeta & { number: number };

export type DocumentDoc = {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  meta: StoredMeta;
  /** Year of meta.issueDate: numbers restart every year per register. */
  year: number;
  codeLabel: string;
  /** Subject and code label without diacritics, for search. */
  folded: string;
  versions: VersionDoc[];
  currentVersionId: Types.ObjectId;
  status: TDocumentStatus;
  sharedWith: Types.ObjectId[];
  createdBy: Types.ObjectId;
  idempotencyKey?: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const signatureSchema = new Schema<TSignatureInfo>(
  {
    signer: { type: String, required: true },
    organization: String,
    kind: { type: String, enum: ['personal', 'seal', 'timestamp'], required: true },
    level: { type: String, required: true },
    signedAt: { type: String, required: true },
    certificateSerial: String,
  },
  { _id: false, strict: 'throw' },
);

const versionSchema = new Schema<VersionDoc>(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    fileName: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, enum: ['upload', 'signature', 'replacement'], required: true },
    signature: { type: signatureSchema, required: false },
    idempotencyKey: { type: String, required: false },
  },
  { strict: 'throw' },
);

const metaSchema = new Schema<StoredMeta>(
  {
    type: { type: String, required: true },
    number: { type: Number, required: true },
    notation: { type: String, required: true },
    register: { type: String, required: true },
    issuePlace: { type: String, required: true },
    issueDate: { type: String, required: true },
    subject: { type: String, required: true },
    urgency: { type: String, enum: URGENCIES, required: true },
    confidentiality: { type: String, enum: CONFIDENTIALITIES, required: true },
    signer: {
      fullName: { type: String, required: true },
      position: { type: String, required: true },
      competence: String,
    },
    dueDate: String,
    pageCount: Number,
    description: String,
  },
  { _id: false, strict: 'throw' },
);

const schema = new Schema<DocumentDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    meta: { type: metaSchema, required: true },
    year: { type: Number, required: true },
    codeLabel: { type: String, required: true },
    folded: { type: String, required: true },
    versions: { type: [versionSchema], required: true },
    currentVersionId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: DOCUMENT_STATUSES, required: true, default: 'draft' },
    sharedWith: { type: [Schema.Types.ObjectId], default: [], index: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    idempotencyKey: { type: String, default: null },
  },
  { timestamps: true, strict: 'throw' },
);
// A retried upload with the same Idempotency-Key finds the first document instead of a second.
schema.index(
  { orgId: 1, idempotencyKey: 1 },
  {
    unique: true,
    name: 'upload_idempotency',
    partialFilterExpression: { idempotencyKey: { $type: 'string' } },
  },
);
// Decree 30: one number per register and year within an organization
schema.index(
  { orgId: 1, 'meta.register': 1, year: 1, 'meta.number': 1 },
  { unique: true, name: 'number_per_register_year' },
);
schema.index({ orgId: 1, _id: -1 });
schema.index({ orgId: 1, 'meta.number': 1, 'meta.notation': 1 });
schema.index({ 'versions._id': 1 });
schema.index({ 'versions.fileId': 1 });

export const Documents = defineModel<DocumentDoc>('Document', schema);

/** One counter per organization + register + year; `$inc` makes number assignment atomic. */
export type CounterDoc = { _id: string; seq: number };

const counterSchema = new Schema<CounterDoc>({ _id: String, seq: { type: Number, default: 0 } });

export const DocumentCounters = defineModel<CounterDoc>('DocumentCounter', counterSchema);

import { Schema, Types } from 'mongoose';
import {
  CONFIDENTIALITIES,
  DOCUMENT_STATUSES,
  SIGNATURE_INFO_KINDS,
  URGENCIES,
  VERSION_REASONS,
  type TDocumentMeta,
  type TDocumentStatus,
  type TDocumentVersion,
  type TSignatureInfo,
} from '../../contracts/documents.js';
import {
  WORKFLOW_ACTIONS,
  WORKFLOW_STATES,
  type TWorkflowAction,
  type TWorkflowState,
} from '../../contracts/workflow.js';
import { defineModel, uniqueWhereSet } from '../../db/model.js';

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

/** `number` is absent only on a workflow draft not yet numbered (numbering.ts). */
export type StoredMeta = TDocumentMeta;

export type WorkflowStepDoc = {
  action: TWorkflowAction;
  state: TWorkflowState;
  at: Date;
  by: Types.ObjectId;
  byName: string;
  comment?: string;
};

/** Trình ký (workflow.ts): where the document is on its way inside its organization. */
export type WorkflowDoc = {
  state: TWorkflowState;
  signerId?: Types.ObjectId;
  signerName?: string;
  returnComment?: string;
  history: WorkflowStepDoc[];
};

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
  workflow?: WorkflowDoc;
  idempotencyKey?: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const signatureSchema = new Schema<TSignatureInfo>(
  {
    signer: { type: String, required: true },
    organization: String,
    kind: { type: String, enum: SIGNATURE_INFO_KINDS, required: true },
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
    reason: { type: String, enum: VERSION_REASONS, required: true },
    signature: { type: signatureSchema, required: false },
    idempotencyKey: { type: String, required: false },
  },
  { strict: 'throw' },
);

const metaSchema = new Schema<StoredMeta>(
  {
    type: { type: String, required: true },
    number: { type: Number, required: false },
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

const stepSchema = new Schema<WorkflowStepDoc>(
  {
    action: { type: String, enum: WORKFLOW_ACTIONS, required: true },
    state: { type: String, enum: WORKFLOW_STATES, required: true },
    at: { type: Date, required: true },
    by: { type: Schema.Types.ObjectId, required: true },
    byName: { type: String, required: true },
    comment: String,
  },
  { _id: false, strict: 'throw' },
);

const workflowSchema = new Schema<WorkflowDoc>(
  {
    state: { type: String, enum: WORKFLOW_STATES, required: true },
    signerId: { type: Schema.Types.ObjectId, required: false },
    signerName: String,
    returnComment: String,
    history: { type: [stepSchema], default: [] },
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
    workflow: { type: workflowSchema, required: false },
    idempotencyKey: { type: String, default: null },
  },
  { timestamps: true, strict: 'throw' },
);
// A retried upload with the same Idempotency-Key finds the first document instead of a second.
schema.index(
  { orgId: 1, idempotencyKey: 1 },
  uniqueWhereSet('idempotencyKey', 'string', 'upload_idempotency'),
);
// Decree 30: one number per register and year within an organization; a workflow draft has
// none until release (the index of the first build, without the filter, is replaced at init)
export const NUMBER_INDEX = 'number_per_register_year_issued';
schema.index(
  { orgId: 1, 'meta.register': 1, year: 1, 'meta.number': 1 },
  uniqueWhereSet('meta.number', 'number', NUMBER_INDEX),
);
// the lists of trình ký: a signer's "awaiting my signature", the clerks' "to release"
schema.index({ orgId: 1, 'workflow.state': 1, _id: -1 }, { sparse: true });
schema.index({ orgId: 1, _id: -1 });
schema.index({ orgId: 1, 'meta.number': 1, 'meta.notation': 1 });
schema.index({ 'versions._id': 1 });
schema.index({ 'versions.fileId': 1 });

export const Documents = defineModel<DocumentDoc>('Document', schema);

/** One counter per organization + register + year; `$inc` makes number assignment atomic. */
export type CounterDoc = { _id: string; seq: number };

const counterSchema = new Schema<CounterDoc>({ _id: String, seq: { type: Number, default: 0 } });

export const DocumentCounters = defineModel<CounterDoc>('DocumentCounter', counterSchema);

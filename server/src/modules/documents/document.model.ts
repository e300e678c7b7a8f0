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
import { embedded, ObjectId, nullable, oneOf, required } from '../../db/fields.js';
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

const signatureSchema = embedded<TSignatureInfo>({
  signer: required(String),
  organization: String,
  kind: oneOf(SIGNATURE_INFO_KINDS),
  level: required(String),
  signedAt: required(String),
  certificateSerial: String,
});

const versionSchema = new Schema<VersionDoc>(
  {
    fileId: required(ObjectId),
    fileName: required(String),
    size: required(Number),
    sha256: required(String),
    createdAt: required(Date),
    createdBy: required(ObjectId),
    reason: oneOf(VERSION_REASONS),
    signature: { type: signatureSchema, required: false },
    idempotencyKey: { type: String, required: false },
  },
  { strict: 'throw' },
);

const metaSchema = embedded<StoredMeta>({
  type: required(String),
  number: { type: Number, required: false },
  notation: required(String),
  register: required(String),
  issuePlace: required(String),
  issueDate: required(String),
  subject: required(String),
  urgency: oneOf(URGENCIES),
  confidentiality: oneOf(CONFIDENTIALITIES),
  signer: {
    fullName: required(String),
    position: required(String),
    competence: String,
  },
  dueDate: String,
  pageCount: Number,
  description: String,
});

const stepSchema = embedded<WorkflowStepDoc>({
  action: oneOf(WORKFLOW_ACTIONS),
  state: oneOf(WORKFLOW_STATES),
  at: required(Date),
  by: required(ObjectId),
  byName: required(String),
  comment: String,
});

const workflowSchema = embedded<WorkflowDoc>({
  state: oneOf(WORKFLOW_STATES),
  signerId: { type: ObjectId, required: false },
  signerName: String,
  returnComment: String,
  history: { type: [stepSchema], default: [] },
});

const schema = new Schema<DocumentDoc>(
  {
    orgId: required(ObjectId),
    meta: required(metaSchema),
    year: required(Number),
    codeLabel: required(String),
    folded: required(String),
    versions: required([versionSchema]),
    currentVersionId: required(ObjectId),
    status: oneOf(DOCUMENT_STATUSES, { default: 'draft' }),
    sharedWith: { type: [ObjectId], default: [], index: true },
    createdBy: required(ObjectId),
    workflow: { type: workflowSchema, required: false },
    idempotencyKey: nullable(String),
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

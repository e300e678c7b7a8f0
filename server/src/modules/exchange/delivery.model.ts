import { Schema, Types } from 'mongoose';
import type { THistoryEntry, TStatusCode } from '../../contracts/exchange.js';
import type { TUrgency } from '../../contracts/documents.js';
import { ObjectId, nullable, required } from '../../db/fields.js';
import { defineModel, uniqueWhereSet } from '../../db/model.js';
import type { StoredReceipt } from './receipts.js';

/** A history entry as stored: the API's, with a date and the receipt as stored (receipts.ts). */
export type HistoryDoc = Omit<THistoryEntry, 'at' | 'receipt'> & {
  at: Date;
  receipt: StoredReceipt;
};

export type ChangeDoc = {
  kind: 'recall' | 'update';
  state: 'requested' | 'agreed' | 'refused';
  reason?: string;
  versionId?: Types.ObjectId;
  versionSha256?: string;
  /** An update that replaces the document (edXML BussinessDocType 3) rather than amends it (2). */
  replace?: boolean;
};

export type DeliveryDoc = {
  _id: Types.ObjectId;
  dispatchId: Types.ObjectId;
  documentId: Types.ObjectId;
  versionId: Types.ObjectId;
  versionSha256: string;
  senderOrgId: Types.ObjectId;
  senderName: string;
  recipientOrgId: Types.ObjectId;
  recipientName: string;
  status: TStatusCode;
  subject: string;
  codeLabel: string;
  folded: string;
  urgency: TUrgency;
  dueDate: Date | null;
  assigneeId: Types.ObjectId | null;
  change: ChangeDoc | null;
  /** Agreed recall: the incoming copy is withdrawn from the recipient (Decree 30). */
  withdrawn: boolean;
  history: HistoryDoc[];
  /** Seqs of its arrival events, to the recipient and to the sender (arrival-log.ts). */
  incomingSeq?: number;
  arrivedSeq?: number;
  createdAt: Date;
  updatedAt: Date;
};

/** The inbox's index, which the statistics' drill-downs read in id order too. */
export const RECIPIENT_ID_INDEX = 'recipient_id';

const schema = new Schema<DeliveryDoc>(
  {
    dispatchId: required(ObjectId),
    documentId: required(ObjectId, { index: true }),
    versionId: required(ObjectId),
    versionSha256: required(String),
    senderOrgId: required(ObjectId),
    senderName: required(String),
    recipientOrgId: required(ObjectId),
    recipientName: required(String),
    status: required(String),
    subject: required(String),
    codeLabel: required(String),
    folded: required(String),
    urgency: required(String),
    dueDate: nullable(Date),
    assigneeId: nullable(ObjectId),
    change: nullable(Schema.Types.Mixed),
    withdrawn: { type: Boolean, default: false },
    history: { type: Schema.Types.Mixed, default: () => [] },
    incomingSeq: Number,
    arrivedSeq: Number,
  },
  { timestamps: true, versionKey: false },
);
schema.index({ dispatchId: 1, recipientOrgId: 1 }, { unique: true });
// the inbox, newest first (withdrawn copies are rare, so filtered)
schema.index({ recipientOrgId: 1, _id: -1 }, { name: RECIPIENT_ID_INDEX });
schema.index({ recipientOrgId: 1, status: 1, dueDate: 1 });
schema.index({ senderOrgId: 1, createdAt: -1 });
// the event log's arrival events (arrival-log.ts)
schema.index({ recipientOrgId: 1, incomingSeq: 1 });
schema.index({ senderOrgId: 1, arrivedSeq: 1 });

export const Deliveries = defineModel<DeliveryDoc>('Delivery', schema);

export type DispatchDoc = {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  documentId: Types.ObjectId;
  versionId: Types.ObjectId;
  recipients: Types.ObjectId[];
  dueDate: Date | null;
  note?: string;
  idempotencyKey: string | null;
  requestHash: string;
  /** Set once every delivery and event exists; a retry finding it false completes the work. */
  complete: boolean;
  recalled: boolean;
  createdBy: string;
  createdByName: string;
  createdAt: Date;
};

const dispatchSchema = new Schema<DispatchDoc>(
  {
    orgId: required(ObjectId),
    documentId: required(ObjectId, { index: true }),
    versionId: required(ObjectId),
    recipients: required([ObjectId]),
    dueDate: nullable(Date),
    note: String,
    idempotencyKey: nullable(String),
    requestHash: required(String),
    complete: { type: Boolean, default: false },
    recalled: { type: Boolean, default: false },
    createdBy: required(String),
    createdByName: required(String),
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
dispatchSchema.index({ orgId: 1, idempotencyKey: 1 }, uniqueWhereSet('idempotencyKey', 'string'));
dispatchSchema.index({ orgId: 1, _id: -1 });

export const Dispatches = defineModel<DispatchDoc>('Dispatch', dispatchSchema);

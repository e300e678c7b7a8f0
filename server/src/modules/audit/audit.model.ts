import { Schema, Types } from 'mongoose';
import type { TAuditEntry } from '../../contracts/audit.js';
import { required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

export type AuditActor = TAuditEntry['actor'];

/** A row of the log as stored: the contract's entry with its id, its time a Date. */
export type AuditDoc = Omit<TAuditEntry, 'at'> & { _id: Types.ObjectId; at: Date };

const schema = new Schema<AuditDoc>(
  {
    seq: required(Number, { unique: true }),
    at: required(Date),
    actor: { id: String, name: String, orgId: String, kind: String },
    action: required(String),
    orgIds: { type: [String], index: true },
    target: { type: { type: String }, id: String },
    details: { type: Schema.Types.Mixed, default: {} },
    prevHash: required(String),
    hash: required(String),
  },
  { versionKey: false, minimize: false },
);
schema.index({ 'target.id': 1 });

export const AuditLog = defineModel<AuditDoc>('AuditEntry', schema);

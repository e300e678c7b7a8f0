import { Schema, Types } from 'mongoose';
import { defineModel } from '../../db/model.js';

export type AuditActor = {
  id: string;
  name: string;
  orgId: string;
  kind: 'user' | 'api-key' | 'system';
};

export type AuditDoc = {
  _id: Types.ObjectId;
  seq: number;
  at: Date;
  actor: AuditActor;
  action: string;
  /** Organizations concerned: an org admin sees entries naming their organization. */
  orgIds: string[];
  target: { type: string; id: string };
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

const schema = new Schema<AuditDoc>(
  {
    seq: { type: Number, required: true, unique: true },
    at: { type: Date, required: true },
    actor: { id: String, name: String, orgId: String, kind: String },
    action: { type: String, required: true },
    orgIds: { type: [String], index: true },
    target: { type: { type: String }, id: String },
    details: { type: Schema.Types.Mixed, default: {} },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { versionKey: false, minimize: false },
);
schema.index({ 'target.id': 1 });

export const AuditLog = defineModel<AuditDoc>('AuditEntry', schema);

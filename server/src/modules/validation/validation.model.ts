import { Schema, Types } from 'mongoose';
import { ObjectId, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

/**
 * Reports of stored document versions. A report depends on the bytes (sha256), on what the hub
 * trusts (trustRevision) and on the time (expiry, revocation dates), so entries are keyed by the
 * first two and expire after a day.
 */
export type ValidationCacheDoc = {
  _id: Types.ObjectId;
  versionId: Types.ObjectId;
  sha256: string;
  trustRevision: string;
  /** The report as JSON text: stored as produced, returned as produced. */
  reportJson: string;
  createdAt: Date;
};

export const CACHE_TTL_SECONDS = 24 * 3600;

const schema = new Schema<ValidationCacheDoc>(
  {
    versionId: required(ObjectId),
    sha256: required(String),
    trustRevision: required(String),
    reportJson: required(String),
    createdAt: required(Date, { default: () => new Date() }),
  },
  { collection: 'validation_reports', strict: 'throw', versionKey: false },
);
schema.index({ versionId: 1, sha256: 1, trustRevision: 1 }, { unique: true });
schema.index({ createdAt: 1 }, { expireAfterSeconds: CACHE_TTL_SECONDS });

export const ValidationReports = defineModel<ValidationCacheDoc>('ValidationReport', schema);

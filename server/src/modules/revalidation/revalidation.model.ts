import { Schema, Types } from 'mongoose';
import {
  REVALIDATION_RESULTS,
  REVALIDATION_STATUSES,
  type TRevalidationCounts,
  type TRevalidationResult,
  type TRevalidationStatus,
} from '../../contracts/revalidation.js';
import { embedded, ObjectId, nullable, oneOf, required } from '../../db/fields.js';
import { defineModel, uniqueWhereSet } from '../../db/model.js';

/**
 * A bulk re-validation. Its documents are fixed once (`snapshotDone`, one item each); the runner
 * walks the items by document id and, after each batch, moves `cursor` and adds the batch's
 * counts in one guarded write, so a stop anywhere loses at most the batch in flight and never
 * counts a document twice. The counts are stored as the API shows them.
 */
export type JobDoc = TRevalidationCounts & {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  orgName: string;
  /** The subtree when the job was asked for. */
  orgIds: Types.ObjectId[];
  from: string;
  to: string;
  start: Date;
  end: Date;
  status: TRevalidationStatus;
  /** `orgId|from|to` while queued or running: one active job per scope and days (unique). */
  activeKey?: string | null;
  snapshotDone: boolean;
  /** Last document id counted; null before the first batch. */
  cursor: Types.ObjectId | null;
  startedBy: { id: string; name: string };
  /** Users told about progress: who started it and who asked for it while it ran. */
  watchers: string[];
  /** The hub process working on it, and when it last said so (a lease). */
  owner: string | null;
  heartbeatAt: Date | null;
  error?: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
};

const jobSchema = new Schema<JobDoc>(
  {
    orgId: required(ObjectId),
    orgName: required(String),
    orgIds: required([ObjectId]),
    from: required(String),
    to: required(String),
    start: required(Date),
    end: required(Date),
    status: oneOf(REVALIDATION_STATUSES),
    activeKey: nullable(String),
    snapshotDone: { type: Boolean, default: false },
    cursor: nullable(ObjectId),
    total: { type: Number, default: 0 },
    processed: { type: Number, default: 0 },
    valid: { type: Number, default: 0 },
    invalid: { type: Number, default: 0 },
    indeterminate: { type: Number, default: 0 },
    unsigned: { type: Number, default: 0 },
    startedBy: { id: required(String), name: required(String) },
    watchers: { type: [String], default: [] },
    owner: nullable(String),
    heartbeatAt: nullable(Date),
    error: nullable(String),
    createdAt: required(Date),
    startedAt: nullable(Date),
    finishedAt: nullable(Date),
    updatedAt: required(Date),
  },
  { collection: 'revalidation_jobs', strict: 'throw', versionKey: false },
);
jobSchema.index({ activeKey: 1 }, uniqueWhereSet('activeKey', 'string', 'one_active_job'));
jobSchema.index({ orgId: 1, _id: -1 });
jobSchema.index({ status: 1, createdAt: 1 });

export const RevalidationJobs = defineModel<JobDoc>('RevalidationJob', jobSchema);

export type ItemResult = {
  versionId: Types.ObjectId | null;
  result: TRevalidationResult;
  subIndication: string | null;
  validatedAt: Date;
};

/** One document of one job; `outcome` once validated. */
export type ItemDoc = {
  _id: Types.ObjectId;
  jobId: Types.ObjectId;
  documentId: Types.ObjectId;
  /** The document's first dispatch: what places it in a statistics period. */
  at: Date;
  outcome?: ItemResult | null;
};

const outcomeSchema = embedded<ItemResult>({
  versionId: nullable(ObjectId),
  result: oneOf(REVALIDATION_RESULTS),
  subIndication: nullable(String),
  validatedAt: required(Date),
});

const itemSchema = new Schema<ItemDoc>(
  {
    jobId: required(ObjectId),
    documentId: required(ObjectId),
    at: required(Date),
    outcome: nullable(outcomeSchema),
  },
  { collection: 'revalidation_items', strict: 'throw', versionKey: false },
);
itemSchema.index({ jobId: 1, documentId: 1 }, { unique: true });

export const RevalidationItems = defineModel<ItemDoc>('RevalidationItem', itemSchema);

/**
 * The latest verdict of each document, whichever job gave it: what the still-valid figure counts.
 * `orgId` (the owner) and `at` (first dispatch) place it in the figure's scope and period.
 */
export type LatestDoc = ItemResult & {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  at: Date;
  jobId: Types.ObjectId;
};

const latestSchema = new Schema<LatestDoc>(
  {
    orgId: required(ObjectId),
    at: required(Date),
    jobId: required(ObjectId),
    versionId: nullable(ObjectId),
    result: oneOf(REVALIDATION_RESULTS),
    subIndication: nullable(String),
    validatedAt: required(Date),
  },
  { collection: 'revalidation_results', strict: 'throw', versionKey: false },
);
latestSchema.index({ orgId: 1, at: 1 });

export const RevalidationResults = defineModel<LatestDoc>('RevalidationResult', latestSchema);

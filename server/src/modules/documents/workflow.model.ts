import { Schema, Types } from 'mongoose';
import { UNSIGNED_DISPATCH, type TWorkflowPolicy } from '../../contracts/workflow.js';
import { defineModel } from '../../db/model.js';

/** An organization's rules for its workflow; one document per organization, `_id` = orgId. */
export type WorkflowPolicyDoc = {
  _id: Types.ObjectId;
  unsignedDispatch: TWorkflowPolicy['unsignedDispatch'];
  updatedBy: Types.ObjectId;
  updatedAt: Date;
};

const policySchema = new Schema<WorkflowPolicyDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    unsignedDispatch: { type: String, enum: UNSIGNED_DISPATCH, required: true },
    updatedBy: { type: Schema.Types.ObjectId, required: true },
    updatedAt: { type: Date, required: true },
  },
  { strict: 'throw' },
);

export const WorkflowPolicies = defineModel<WorkflowPolicyDoc>('WorkflowPolicy', policySchema);

/**
 * Images of record: a signer's handwritten signature (`user:<id>`), an organization's registered
 * seal (`seal:<orgId>`). Small PNGs (≤ 512 KB), kept whole in the document.
 */
export type RecordImageDoc = {
  _id: string;
  orgId: Types.ObjectId;
  png: Buffer;
  sha256: string;
  updatedBy: Types.ObjectId;
  updatedAt: Date;
};

const imageSchema = new Schema<RecordImageDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    png: { type: Buffer, required: true },
    sha256: { type: String, required: true },
    updatedBy: { type: Schema.Types.ObjectId, required: true },
    updatedAt: { type: Date, required: true },
  },
  { strict: 'throw' },
);

export const RecordImages = defineModel<RecordImageDoc>('RecordImage', imageSchema);

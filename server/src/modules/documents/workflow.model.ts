import { Schema, Types } from 'mongoose';
import { UNSIGNED_DISPATCH, type TWorkflowPolicy } from '../../contracts/workflow.js';
import { ObjectId, oneOf, required } from '../../db/fields.js';
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
    _id: required(ObjectId),
    unsignedDispatch: oneOf(UNSIGNED_DISPATCH),
    updatedBy: required(ObjectId),
    updatedAt: required(Date),
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
    _id: required(String),
    orgId: required(ObjectId),
    png: required(Buffer),
    sha256: required(String),
    updatedBy: required(ObjectId),
    updatedAt: required(Date),
  },
  { strict: 'throw' },
);

export const RecordImages = defineModel<RecordImageDoc>('RecordImage', imageSchema);

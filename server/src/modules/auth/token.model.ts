import { Schema, Types } from 'mongoose';
import type { TRole } from '../../contracts/common.js';
import { defineModel } from '../../db/model.js';

/** One refresh token; a family is the chain of rotations from one login. */
export type RefreshTokenDoc = {
  _id: string; // sha256 of the token, never the token itself
  userId: Types.ObjectId;
  family: string;
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
};

const refreshSchema = new Schema<RefreshTokenDoc>({
  _id: String,
  userId: { type: Schema.Types.ObjectId, required: true, index: true },
  family: { type: String, required: true, index: true },
  usedAt: { type: Date, default: null },
  revokedAt: { type: Date, default: null },
  expiresAt: { type: Date, required: true, expires: 0 },
});

export const RefreshTokens = defineModel<RefreshTokenDoc>('RefreshToken', refreshSchema);

export type ApiKeyDoc = {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  name: string;
  prefix: string;
  hash: string; // sha256 of the secret part
  roles: TRole[];
  createdBy: Types.ObjectId;
  createdAt: Date;
  revokedAt: Date | null;
};

const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true },
    prefix: { type: String, required: true, unique: true },
    hash: { type: String, required: true },
    roles: { type: [String], required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export const ApiKeys = defineModel<ApiKeyDoc>('ApiKey', apiKeySchema);

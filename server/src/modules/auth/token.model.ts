import { Schema, Types } from 'mongoose';
import type { TRole } from '../../contracts/common.js';
import { ObjectId, nullable, required } from '../../db/fields.js';
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
  userId: required(ObjectId, { index: true }),
  family: required(String, { index: true }),
  usedAt: nullable(Date),
  revokedAt: nullable(Date),
  expiresAt: required(Date, { expires: 0 }),
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
    orgId: required(ObjectId, { index: true }),
    name: required(String),
    prefix: required(String, { unique: true }),
    hash: required(String),
    roles: required([String]),
    createdBy: required(ObjectId),
    revokedAt: nullable(Date),
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

export const ApiKeys = defineModel<ApiKeyDoc>('ApiKey', apiKeySchema);

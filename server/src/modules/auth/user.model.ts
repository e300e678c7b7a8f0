import { Schema, Types } from 'mongoose';
import { ROLES, type TRole } from '../../contracts/common.js';
import type { TUser } from '../../contracts/auth.js';
import { ObjectId, nullable, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

export type UserDoc = {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  username: string;
  fullName: string;
  title?: string;
  email?: string;
  roles: TRole[];
  passwordHash: string;
  failedLogins: number;
  lockedUntil: Date | null;
  active: boolean;
  createdAt: Date;
};

const schema = new Schema<UserDoc>(
  {
    orgId: required(ObjectId, { index: true }),
    username: required(String, { unique: true }),
    fullName: required(String),
    title: String,
    email: String,
    roles: required([String], { enum: ROLES }),
    passwordHash: required(String),
    failedLogins: { type: Number, default: 0 },
    lockedUntil: nullable(Date),
    active: { type: Boolean, default: true },
  },
  { timestamps: true, strict: 'throw' },
);

export const Users = defineModel<UserDoc>('User', schema);

export function presentUser(u: UserDoc): TUser {
  return {
    id: String(u._id),
    orgId: String(u.orgId),
    username: u.username,
    fullName: u.fullName,
    ...(u.title ? { title: u.title } : {}),
    ...(u.email ? { email: u.email } : {}),
    roles: u.roles,
    active: u.active,
  };
}

import { Schema, Types } from 'mongoose';
import { ROLES, type TRole } from '../../contracts/common.js';
import type { TUser } from '../../contracts/auth.js';
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
    orgId: { type: Schema.Types.ObjectId, required: true, index: true },
    username: { type: String, required: true, unique: true },
    fullName: { type: String, required: true },
    title: String,
    email: String,
    roles: { type: [String], enum: ROLES, required: true },
    passwordHash: { type: String, required: true },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: Date, default: null },
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

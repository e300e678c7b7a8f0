import { Schema, Types } from 'mongoose';
import { ORG_KINDS, ORG_LEVELS, type TOrg } from '../../contracts/orgs.js';
import { ObjectId, nullable, oneOf, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

export type OrgDoc = {
  _id: Types.ObjectId;
  code: string;
  name: string;
  nameFolded: string;
  shortName?: string;
  kind: TOrg['kind'];
  level: TOrg['level'];
  parentId: Types.ObjectId | null;
  /** Root first; lets a subtree be found with one indexed query. */
  ancestors: Types.ObjectId[];
  contact: TOrg['contact'];
  active: boolean;
  /** Created from an incoming package and awaiting an admin's review. */
  external: boolean;
  createdAt: Date;
  updatedAt: Date;
};

const schema = new Schema<OrgDoc>(
  {
    code: required(String, { unique: true }),
    name: required(String),
    nameFolded: required(String, { index: true }),
    shortName: String,
    kind: oneOf(ORG_KINDS),
    level: oneOf(ORG_LEVELS),
    parentId: nullable(ObjectId, { index: true }),
    ancestors: { type: [ObjectId], index: true },
    contact: { email: String, phone: String, address: String },
    active: { type: Boolean, default: true },
    external: { type: Boolean, default: false },
  },
  { timestamps: true, strict: 'throw' },
);

export const Orgs = defineModel<OrgDoc>('Organization', schema);

export function presentOrg(o: OrgDoc): TOrg {
  return {
    id: String(o._id),
    code: o.code,
    name: o.name,
    ...(o.shortName ? { shortName: o.shortName } : {}),
    kind: o.kind,
    level: o.level,
    parentId: o.parentId ? String(o.parentId) : null,
    ancestors: o.ancestors.map(String),
    contact: o.contact ?? {},
    active: o.active,
    external: o.external,
  };
}

import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { TApiKey } from '../../contracts/auth.js';
import type { TRole } from '../../contracts/common.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/index.js';
import { getOrg } from '../orgs/index.js';
import { enforce } from './policy.js';
import type { Principal } from '../../http/principal.js';
import { ApiKeys, type ApiKeyDoc } from './token.model.js';
import { sha256Hex } from './tokens.js';

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

function prefix(): string {
  return Array.from(randomBytes(12), (b) => ALNUM[b % ALNUM.length]).join('');
}

function present(k: ApiKeyDoc): TApiKey {
  return {
    id: String(k._id),
    orgId: String(k.orgId),
    name: k.name,
    prefix: k.prefix,
    roles: k.roles,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}

/**
 * The secret is shown once, here; only its SHA-256 is stored. A key belongs to the caller's own
 * organization and carries only roles the caller may grant there (the grant policy decides).
 */
export async function createApiKey(
  ctx: HubContext,
  p: Principal,
  input: { name: string; roles: TRole[] },
): Promise<TApiKey & { key: string }> {
  const org = await getOrg(ctx, p.orgId);
  const roles = [...new Set(input.roles)];
  await enforce(ctx, p, 'create-api-key', {
    org: { id: p.orgId, kind: org.kind, code: org.code },
    roles,
  });
  const pre = prefix();
  const secret = randomBytes(32).toString('base64url');
  const doc = await ApiKeys(ctx.db.conn).create({
    orgId: new Types.ObjectId(p.orgId),
    name: input.name,
    prefix: pre,
    hash: sha256Hex(secret),
    roles,
    createdBy: new Types.ObjectId(p.id),
  });
  const key = present(doc.toObject());
  try {
    await appendAudit(ctx, {
      actor: actorOf(p),
      action: 'api-key.created',
      orgIds: [p.orgId],
      target: { type: 'api-key', id: key.id },
      details: { name: key.name, prefix: key.prefix, roles },
    });
  } catch (err) {
    // a grant that is not in the audit log did not happen: the secret is never handed out
    await ApiKeys(ctx.db.conn).deleteOne({ _id: doc._id });
    throw err;
  }

  return { ...key, key: `ltk_${pre}_${secret}` };
}

export async function listApiKeys(ctx: HubContext, p: Principal): Promise<TApiKey[]> {
  return (
    await ApiKeys(ctx.db.conn)
      .find({ orgId: new Types.ObjectId(p.orgId) })
      .lean()
  ).map(present);
}

export async function revokeApiKey(ctx: HubContext, p: Principal, id: string): Promise<TApiKey> {
  const doc = await ApiKeys(ctx.db.conn)
    .findOneAndUpdate(
      { _id: new Types.ObjectId(id), orgId: new Types.ObjectId(p.orgId) },
      { $set: { revokedAt: new Date() } },
      { new: true },
    )
    .lean();
  if (!doc) throw new AppError('NOT_FOUND', 'Không tìm thấy khóa API.');
  // revoking stays done even if the audit write fails: the error still reaches the caller
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: 'api-key.revoked',
    orgIds: [p.orgId],
    target: { type: 'api-key', id },
    details: { name: doc.name, prefix: doc.prefix, roles: doc.roles },
  });

  return present(doc);
}

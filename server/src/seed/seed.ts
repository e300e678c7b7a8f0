import { randomBytes } from 'node:crypto';
import type { HubContext } from '../context.js';
import { hashPassword, Users } from '../modules/auth/index.js';
import type { Principal } from '../http/principal.js';
import { createOrg, findOrg } from '../modules/orgs/index.js';
import {
  issuePersonalCertificate,
  issueSealCertificate,
  IssuedCertificates,
} from '../modules/pki/index.js';
import { THANH_HOA, type SeedOrg } from './thanh-hoa.js';

export type SeedResult = {
  password: string | null;
  created: { orgs: number; users: number; certificates: number };
  users: { username: string; org: string; roles: string[]; isNew: boolean }[];
};

const SEEDER: Principal = {
  kind: 'user',
  id: '000000000000000000000000',
  orgId: '000000000000000000000000',
  roles: ['hub_admin'],
  name: 'lienthong seed',
};

async function ensureOrg(ctx: HubContext, o: SeedOrg, ids: Map<string, string>): Promise<boolean> {
  const existing = await findOrg(ctx, { code: o.code });
  if (existing) {
    ids.set(o.key, String(existing._id));

    return false;
  }
  const parentId = o.parent ? ids.get(o.parent) : undefined;
  const { key: _k, parent: _p, users: _u, ...fields } = o;
  void [_k, _p, _u];
  const org = await createOrg(ctx, { ...fields, contact: {}, ...(parentId ? { parentId } : {}) });
  ids.set(o.key, org.id);

  return true;
}

async function hasCert(ctx: HubContext, filter: Record<string, unknown>): Promise<boolean> {
  return Boolean(await IssuedCertificates(ctx.db.conn).exists({ ...filter, status: 'good' }));
}

/**
 * Idempotent: organizations, users and certificates that already exist are left as they are,
 * so the seed can run again (or against a hub already in use) without duplicating anything.
 */
export async function seed(ctx: HubContext): Promise<SeedResult> {
  const password = `Demo-${randomBytes(6).toString('base64url')}-2026`;
  const passwordHash = await hashPassword(password);
  const ids = new Map<string, string>();
  const result: SeedResult = {
    password: null,
    created: { orgs: 0, users: 0, certificates: 0 },
    users: [],
  };
  for (const o of THANH_HOA) {
    if (await ensureOrg(ctx, o, ids)) result.created.orgs++;
    const orgId = ids.get(o.key)!;
    if (
      o.kind === 'agency' &&
      o.users.some((u) => u.roles.includes('clerk')) &&
      !(await hasCert(ctx, { kind: 'seal', orgId }))
    ) {
      await issueSealCertificate(ctx, SEEDER, { orgId, algorithm: 'rsa2048' });
      result.created.certificates++;
    }
    for (const u of o.users) {
      let user = await Users(ctx.db.conn).findOne({ username: u.username }).lean();
      const isNew = !user;
      if (!user) {
        user = (await Users(ctx.db.conn).create({ ...u, orgId, passwordHash })).toObject();
        result.created.users++;
        result.password = password;
      }
      if (
        u.roles.includes('signer') &&
        !(await hasCert(ctx, { kind: 'personal', userId: user._id }))
      ) {
        await issuePersonalCertificate(ctx, SEEDER, {
          userId: String(user._id),
          algorithm: 'rsa2048',
        });
        result.created.certificates++;
      }
      result.users.push({ username: u.username, org: o.name, roles: u.roles, isNew });
    }
  }

  return result;
}

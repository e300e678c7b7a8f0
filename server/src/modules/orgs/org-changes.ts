import type { z } from 'zod';
import type { TOrg, TOrgCreate, ZOrgUpdate } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import { foldVietnamese } from '../../db/model.js';
import { actorOf, appendAudit } from '../audit/index.js';
import type { Principal } from '../../http/principal.js';
import type { OrgRef } from '../../contracts/grants.js';
import { Orgs, presentOrg, type OrgDoc } from './org.model.js';
import { assertNameFree, createOrg, getOrg } from './orgs.service.js';

export type TOrgUpdate = z.infer<typeof ZOrgUpdate>;
type Field = 'name' | 'shortName' | 'kind' | 'level' | 'contact' | 'active';
type Changes = Partial<Record<Field, { before: unknown; after: unknown }>>;

/** A change as the guard judges it: the fields that really change, the new state if it does. */
export type OrgChange = { fields: Field[]; active?: boolean };

/**
 * What the auth module checks for organizations' changes (it registers it at start): orgs knows
 * neither the policy nor who holds which role.
 */
export type OrgGuard = {
  mayCreate(p: Principal): Promise<void>;
  mayChange(p: Principal, org: OrgRef, change: OrgChange): Promise<void>;
  /** Throws if someone would hold a role the new kind does not allow. */
  kindFits(org: OrgRef, kind: OrgRef['kind']): Promise<void>;
};

declare module '../../bus.js' {
  interface HubEvents {
    /** An organization was deactivated: every session of its people ends (awaited). */
    'org.deactivated': { orgId: string };
  }
}

function guard(ctx: HubContext): OrgGuard {
  const g = ctx.services.orgs.guard;
  if (!g) throw new Error('organizations cannot change: the auth module is not started');

  return g;
}

const ref = (o: OrgDoc): OrgRef => ({ id: String(o._id), kind: o.kind, code: o.code });

/** Contact as stored and as sent compare equal when they hold the same non-empty values. */
function contactKey(c: TOrg['contact'] | undefined): string {
  const entries = Object.entries(c ?? {}).filter(([, v]) => typeof v === 'string' && v !== '');

  return JSON.stringify(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The fields whose value really changes: a form re-sending the current name renames nothing. */
function diffOrg(org: OrgDoc, input: TOrgUpdate): Changes {
  const changes: Changes = {};
  for (const f of ['name', 'shortName', 'kind', 'level', 'active'] as const) {
    const after = input[f];
    if (after !== undefined && (org[f] ?? '') !== after) {
      changes[f] = { before: org[f] ?? null, after };
    }
  }
  if (input.contact && contactKey(org.contact) !== contactKey(input.contact)) {
    changes.contact = { before: org.contact ?? {}, after: input.contact };
  }

  return changes;
}

function toUpdate(changes: Changes) {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const [f, c] of Object.entries(changes)) {
    if (c.after === '' || c.after === null) $unset[f] = 1;
    else $set[f] = c.after;
  }
  if (typeof $set.name === 'string') $set.nameFolded = foldVietnamese($set.name);

  return { $set, $unset };
}

/** Undefined members would be stored as null but hashed as absent: the chain must not see them. */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const back = (changes: Changes): Changes =>
  Object.fromEntries(
    Object.entries(changes).map(([f, c]) => [f, { before: c.after, after: c.before }]),
  );

/**
 * Changes an organization as the policy allows (H3: its name only by the hub admin), keeps
 * active names unique, writes the before/after to the audit log, and ends every session of an
 * organization that is deactivated.
 */
export async function updateOrg(
  ctx: HubContext,
  p: Principal,
  id: string,
  input: TOrgUpdate,
): Promise<TOrg> {
  const org = await getOrg(ctx, id);
  const changes = diffOrg(org, input);
  await guard(ctx).mayChange(p, ref(org), {
    fields: Object.keys(changes) as Field[],
    active: changes.active?.after as boolean | undefined,
  });
  if (Object.keys(changes).length === 0) return presentOrg(org);
  const active = (changes.active?.after as boolean | undefined) ?? org.active;
  if (active && (changes.name || changes.active)) {
    await assertNameFree(ctx, (changes.name?.after as string | undefined) ?? org.name, org._id);
  }
  if (changes.kind) await guard(ctx).kindFits(ref(org), changes.kind.after as OrgDoc['kind']);
  const updated = await Orgs(ctx.db.conn)
    .findByIdAndUpdate(org._id, toUpdate(changes), { new: true })
    .lean();
  try {
    await appendAudit(ctx, {
      actor: actorOf(p),
      action: 'org.updated',
      orgIds: [...new Set([id, p.orgId])],
      target: { type: 'organization', id },
      details: plain({ code: org.code, changes }),
    });
  } catch (err) {
    // a change that is not in the audit log did not happen
    await Orgs(ctx.db.conn).updateOne({ _id: org._id }, toUpdate(back(changes)));
    throw err;
  }
  if (changes.active && !active) await ctx.bus.publish('org.deactivated', { orgId: id });

  return presentOrg(updated!);
}

/** An organization created by the hub admin, with its audit entry. */
export async function createOrgAs(ctx: HubContext, p: Principal, input: TOrgCreate): Promise<TOrg> {
  await guard(ctx).mayCreate(p);
  const org = await createOrg(ctx, input);
  try {
    const { contact, ...fields } = input;
    await appendAudit(ctx, {
      actor: actorOf(p),
      action: 'org.created',
      orgIds: [...new Set([org.id, p.orgId])],
      target: { type: 'organization', id: org.id },
      details: plain({ after: { ...fields, contact } }),
    });
  } catch (err) {
    await Orgs(ctx.db.conn).deleteOne({ _id: org.id });
    throw err;
  }

  return org;
}

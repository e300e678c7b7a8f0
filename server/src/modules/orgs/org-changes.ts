import type { z } from 'zod';
import type { TOrg, TOrgCreate, ZOrgUpdate } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import { foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/append.js';
import { ApiKeys } from '../auth/token.model.js';
import { Users } from '../auth/user.model.js';
import { enforce, rolesOfOrg, type Action, type OrgRef } from '../auth/policy.js';
import type { Principal } from '../../http/principal.js';
import { endSessions } from '../auth/sessions.js';
import { Orgs, presentOrg, type OrgDoc } from './org.model.js';
import { assertNameFree, createOrg, getOrg } from './orgs.service.js';

export type TOrgUpdate = z.infer<typeof ZOrgUpdate>;
type Field = 'name' | 'shortName' | 'kind' | 'level' | 'contact' | 'active';
type Changes = Partial<Record<Field, { before: unknown; after: unknown }>>;

/** Which policy action each field's change needs: only contact details are the org_admin's. */
const FIELD_ACTION: Record<Field, Action> = {
  contact: 'update-org',
  name: 'rename-org',
  shortName: 'rename-org',
  kind: 'reclassify-org',
  level: 'reclassify-org',
  active: 'set-org-state',
};

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

async function checkPolicy(
  ctx: HubContext,
  p: Principal,
  org: OrgDoc,
  changes: Changes,
): Promise<void> {
  await enforce(ctx, p, 'update-org', { org: ref(org) });
  const fields = Object.keys(changes) as Field[];
  for (const action of new Set(fields.map((f) => FIELD_ACTION[f]))) {
    if (action === 'set-org-state') {
      await enforce(ctx, p, action, { org: ref(org), active: changes.active!.after as boolean });
    } else {
      await enforce(ctx, p, action as 'rename-org', { org: ref(org) });
    }
  }
}

/** A kind change must not leave anyone holding a role the new kind does not allow. */
async function assertKindFits(ctx: HubContext, org: OrgDoc, kind: OrgDoc['kind']): Promise<void> {
  const allowed = rolesOfOrg({ ...ref(org), kind });
  const outside = { orgId: org._id, roles: { $elemMatch: { $nin: allowed } } };
  const held =
    (await Users(ctx.db.conn).exists(outside)) ??
    (await ApiKeys(ctx.db.conn).exists({ ...outside, revokedAt: null }));
  if (held) {
    throw new AppError(
      'INVALID_STATE',
      'Còn người dùng hoặc khóa API có vai trò không dùng được với loại tổ chức mới; hãy đổi vai trò trước.',
    );
  }
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
  await checkPolicy(ctx, p, org, changes);
  if (Object.keys(changes).length === 0) return presentOrg(org);
  const active = (changes.active?.after as boolean | undefined) ?? org.active;
  if (active && (changes.name || changes.active)) {
    await assertNameFree(ctx, (changes.name?.after as string | undefined) ?? org.name, org._id);
  }
  if (changes.kind) await assertKindFits(ctx, org, changes.kind.after as OrgDoc['kind']);
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
  if (changes.active && !active) await endSessions(ctx, { orgId: id });

  return presentOrg(updated!);
}

/** An organization created by the hub admin, with its audit entry. */
export async function createOrgAs(ctx: HubContext, p: Principal, input: TOrgCreate): Promise<TOrg> {
  await enforce(ctx, p, 'create-org', {});
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

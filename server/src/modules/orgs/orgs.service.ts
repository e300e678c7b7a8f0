import { Types } from 'mongoose';
import type { TOrg, TOrgCreate, TOrgNode } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import { escapeRegex, foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { Orgs, presentOrg, type OrgDoc } from './org.model.js';

/**
 * Two active organizations never share a name (accents and case ignored): the name is what a
 * seal and a letter carry, so a second "UBND tỉnh Thanh Hóa" would sign as the first (H3).
 */
export async function assertNameFree(
  ctx: HubContext,
  name: string,
  except?: Types.ObjectId,
): Promise<void> {
  const taken = await Orgs(ctx.db.conn).exists({
    nameFolded: foldVietnamese(name),
    active: true,
    // a synthetic history (seed --synthetic) mirrors the real province's names on purpose
    synthetic: { $ne: true },
    ...(except ? { _id: { $ne: except } } : {}),
  });
  if (taken) {
    throw new AppError('CONFLICT', `Tên "${name}" đã được một cơ quan, tổ chức khác sử dụng.`);
  }
}

export async function getOrg(ctx: HubContext, id: string): Promise<OrgDoc> {
  const org = Types.ObjectId.isValid(id) ? await Orgs(ctx.db.conn).findById(id).lean() : null;
  if (!org) throw new AppError('NOT_FOUND', 'Không tìm thấy cơ quan, tổ chức.');

  return org;
}

export async function createOrg(
  ctx: HubContext,
  input: TOrgCreate,
  external = false,
): Promise<TOrg> {
  const parent = input.parentId ? await getOrg(ctx, input.parentId) : null;
  const existing = await Orgs(ctx.db.conn).exists({ code: input.code });
  if (existing) throw new AppError('CONFLICT', `Mã định danh ${input.code} đã được dùng.`);
  // Senders created from incoming packages keep the name they declare until an admin reviews
  // them (the EDXML import treats any CONFLICT here as "same code created meanwhile").
  if (!external) await assertNameFree(ctx, input.name);
  const doc = await Orgs(ctx.db.conn).create({
    ...input,
    nameFolded: foldVietnamese(input.name),
    parentId: parent?._id ?? null,
    ancestors: parent ? [...parent.ancestors, parent._id] : [],
    external,
  });

  return presentOrg(doc.toObject());
}

export async function listOrgs(
  ctx: HubContext,
  q: { q?: string; kind?: string; parentId?: string },
): Promise<TOrg[]> {
  const filter: Record<string, unknown> = { active: true };
  if (q.kind) filter.kind = q.kind;
  if (q.parentId) filter.parentId = new Types.ObjectId(q.parentId);
  if (q.q) {
    const folded = escapeRegex(foldVietnamese(q.q));
    filter.$or = [{ nameFolded: { $regex: folded } }, { code: { $regex: `^${escapeRegex(q.q)}` } }];
  }
  const docs = await Orgs(ctx.db.conn).find(filter).sort({ name: 1 }).limit(500).lean();

  return docs.map(presentOrg);
}

export async function orgTree(ctx: HubContext): Promise<TOrgNode[]> {
  const all = (await Orgs(ctx.db.conn).find({ active: true }).sort({ name: 1 }).lean()).map(
    presentOrg,
  );
  const nodes = new Map(all.map((o) => [o.id, { ...o, children: [] as TOrgNode[] }]));
  const roots: TOrgNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId ? nodes.get(n.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }

  return roots;
}

/** Ids of an organization and everything below it. */
export async function subtreeIds(ctx: HubContext, orgId: string): Promise<Types.ObjectId[]> {
  const id = new Types.ObjectId(orgId);
  const below = await Orgs(ctx.db.conn).find({ ancestors: id }, { _id: 1 }).lean();

  return [id, ...below.map((o) => o._id)];
}

/** One organization by id or by code, or null (an id that is not an ObjectId finds none). */
export async function findOrg(
  ctx: HubContext,
  by: { id: string | Types.ObjectId } | { code: string },
): Promise<OrgDoc | null> {
  if ('code' in by) return Orgs(ctx.db.conn).findOne({ code: by.code }).lean();

  return Types.ObjectId.isValid(by.id) ? Orgs(ctx.db.conn).findById(by.id).lean() : null;
}

/** Whether the organization exists and is active (its people and systems may act). */
export async function isActiveOrg(ctx: HubContext, id: Types.ObjectId | string): Promise<boolean> {
  return (await Orgs(ctx.db.conn).exists({ _id: id, active: true })) !== null;
}

/** Each organization followed by its ancestors; all of them without `ids`. */
export async function ancestryOf(ctx: HubContext, ids?: string[]): Promise<Map<string, string[]>> {
  const filter = ids ? { _id: { $in: ids } } : {};
  const orgs = await Orgs(ctx.db.conn).find(filter, { ancestors: 1 }).lean();

  return new Map(orgs.map((o) => [String(o._id), [String(o._id), ...o.ancestors.map(String)]]));
}

/** The central agency at the root of the tree with this code, made if missing (the hub's own). */
export async function rootAgency(ctx: HubContext, code: string, name: string): Promise<OrgDoc> {
  return (
    (await Orgs(ctx.db.conn).findOne({ code }).lean()) ??
    (
      await Orgs(ctx.db.conn).create({
        code,
        name,
        nameFolded: foldVietnamese(name),
        kind: 'agency',
        level: 'central',
        parentId: null,
        ancestors: [],
      })
    ).toObject()
  );
}

/** The organizations of these ids or codes (active ones only with `active`), in no order. */
export async function findOrgs(
  ctx: HubContext,
  by: { ids: (string | Types.ObjectId)[] } | { codes: string[]; active?: true },
): Promise<OrgDoc[]> {
  const filter =
    'ids' in by
      ? { _id: { $in: by.ids.map((i) => new Types.ObjectId(i)) } }
      : { code: { $in: by.codes }, ...(by.active ? { active: true } : {}) };

  return Orgs(ctx.db.conn).find(filter).lean();
}

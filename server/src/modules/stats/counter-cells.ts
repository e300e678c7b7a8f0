import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { TStatsPeriod } from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { ancestryOf } from '../orgs/index.js';
import { periodLabel, periodStart, vnDayNumber } from '../scope/index.js';

/**
 * Counter documents: `_id` = `<orgId>|<grain>:<period>` (grain d, w, m, q, y of the Vietnam
 * calendar), holding sums over the organization's whole subtree. A "cell" is one such document
 * and the increments to apply to it; dotted field names address nested maps (urgency, type,
 * latency histograms).
 */
export const COUNTERS = 'stats_counters';

export const GRAIN_PREFIX: Record<TStatsPeriod, string> = {
  day: 'd',
  week: 'w',
  month: 'm',
  quarter: 'q',
  year: 'y',
};
const GRAINS = Object.keys(GRAIN_PREFIX) as TStatsPeriod[];

export type Inc = Record<string, number>;
export type Cells = Map<string, Inc>;
/** Organization id → itself followed by its ancestors (the subtrees it counts in). */
export type Ancestry = Map<string, string[]>;

const keysOfDay = new Map<number, readonly string[]>();

/** The counter key of the period of each grain containing an instant (the same for a whole day). */
export function periodKeys(at: Date): readonly string[] {
  const day = vnDayNumber(at);
  let keys = keysOfDay.get(day);
  if (!keys) {
    // every delivery of a flush asks, mostly for today: computing once per day saves the dates
    if (keysOfDay.size > 10_000) keysOfDay.clear();
    keys = GRAINS.map((g) => `${GRAIN_PREFIX[g]}:${periodLabel(periodStart(at, g), g)}`);
    keysOfDay.set(day, keys);
  }

  return keys;
}

/** A cell of the day grain (the others are week, month, quarter and year). */
export function isDayCell(id: string): boolean {
  return id.includes(`|${GRAIN_PREFIX.day}:`);
}

/** A free-text value (a document type) made safe as a field name: no '.', no leading '$'. */
export function fieldKey(s: string): string {
  return s.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24');
}

export function unfieldKey(s: string): string {
  return s.replace(/%2E/g, '.').replace(/%24/g, '$').replace(/%25/g, '%');
}

export function addCell(cells: Cells, id: string, inc: Inc): void {
  let into = cells.get(id);
  if (!into) cells.set(id, (into = {}));
  for (const [f, v] of Object.entries(inc)) if (v !== 0) into[f] = (into[f] ?? 0) + v;
}

/** A fact about one organization at one instant: counted in every subtree and period holding it. */
export type Bump = { orgId: string; at: Date; inc: Inc };

export function spread(cells: Cells, ancestry: Ancestry, bumps: Bump[]): void {
  for (const b of bumps) {
    const keys = periodKeys(b.at);
    for (const root of ancestry.get(b.orgId) ?? [b.orgId])
      for (const key of keys) addCell(cells, `${root}|${key}`, b.inc);
  }
}

/** Each organization followed by its ancestors; all of them without `ids` (a rebuild). */
export async function loadAncestry(ctx: HubContext, ids?: string[]): Promise<Ancestry> {
  if (!ids) return ancestryOf(ctx);
  // an organization's place in the tree never changes once made (no API moves it): kept per hub
  const held = ctx.services.stats.ancestry;
  if (held.known.size > 100_000) held.known = new Map();
  const cache = held.known;
  const wanted = [...new Set(ids)];
  const missing = wanted.filter((id) => !cache.has(id));
  if (missing.length > 0) for (const [k, v] of await ancestryOf(ctx, missing)) cache.set(k, v);
  const out: Ancestry = new Map();
  for (const id of wanted) {
    const a = cache.get(id);
    if (a) out.set(id, a);
  }

  return out;
}

/** Applies the cells' increments: one unordered bulk of upserts. */
export async function writeCells(ctx: HubContext, cells: Cells): Promise<void> {
  const ops: AnyBulkWriteOperation<Document>[] = [];
  for (const [id, inc] of cells)
    if (Object.keys(inc).length)
      ops.push({
        updateOne: { filter: { _id: id as never }, update: { $inc: inc }, upsert: true },
      });
  if (ops.length) await ctx.db.conn.collection(COUNTERS).bulkWrite(ops, { ordered: false });
}

/** Dotted increments as a nested document (for inserting rebuilt counters). */
export function nest(id: string, inc: Inc): Document {
  const doc: Document = { _id: id };
  for (const [path, v] of Object.entries(inc)) {
    if (v === 0) continue;
    const parts = path.split('.');
    let at = doc;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Document;
    at[parts.at(-1)!] = v;
  }

  return doc;
}

export type Sums = { [k: string]: number | Sums };

/** Adds a counter document (nested numbers) into a running total. */
export function sumInto(into: Sums, doc: Document): void {
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_id') continue;
    if (typeof v === 'number') into[k] = ((into[k] as number | undefined) ?? 0) + v;
    else if (v && typeof v === 'object') sumInto((into[k] ??= {}) as Sums, v as Document);
  }
}

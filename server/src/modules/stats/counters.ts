import type { AnyBulkWriteOperation, Document } from 'mongodb';
import { STATUS, type TStatusCode } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import { Deliveries, type DeliveryDoc, type HistoryDoc } from '../exchange/index.js';
import { vnDayNumber, vnDayStart, vnIsoDate } from '../scope/index.js';
import {
  COUNTERS,
  addCell,
  loadAncestry,
  periodKeys,
  spread,
  sumInto,
  writeCells,
  type Ancestry,
  type Bump,
  type Cells,
  type Inc,
  type Sums,
} from './counter-cells.js';
import { deliveryExceptions, recordExceptions } from './item-bounds.js';
import { markFacts } from './mark-facts.js';
import { bucketOf } from './latency-histogram.js';

/**
 * Incremental counters for the dashboard at scale: per organization (rolled up over its
 * subtree), per Vietnam day, week, month, quarter and year of each fact set's cohort date. Same
 * definitions as facts.ts (docs/statistics.md); the aggregation stays the exact reference they
 * are tested against. Latencies are kept as log-scale histograms (latency-histogram.ts).
 */
export const COUNTER_FIELDS = [
  'received',
  'handled',
  'sameDay',
  'accepted',
  'completed',
  'rejected',
  'sent',
  'recalled',
  'due',
  'onTime',
  'completedLate',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];
export type CounterValues = Record<CounterField, number>;

/** One document per delivery listing the transitions already counted (idempotence). */
export const MARKS = 'stats_marks';

function firstAt(d: Pick<CountedDelivery, 'history'>, code: TStatusCode): Date | null {
  let m: Date | null = null;
  for (const h of d.history) if (h.code === code && (!m || h.at < m)) m = h.at;

  return m;
}

const hist = (latency: string, ms: number) => `h.${latency}.${bucketOf(ms)}`;

function negate(bumps: Bump[]): Bump[] {
  return bumps.map((b) => ({
    ...b,
    inc: Object.fromEntries(Object.entries(b.inc).map(([k, v]) => [k, -v])),
  }));
}

/** Fields of a delivery the counters read (rebuild projects only these). */
export type CountedDelivery = Pick<
  DeliveryDoc,
  | '_id'
  | 'documentId'
  | 'senderOrgId'
  | 'recipientOrgId'
  | 'urgency'
  | 'dueDate'
  | 'status'
  | 'change'
  | 'withdrawn'
  | 'createdAt'
> & { history: Pick<HistoryDoc, 'code' | 'at'>[] };

/** Only what counting reads (a queued transition then holds a few fields, not its receipts). */
export function countedOf(d: CountedDelivery): CountedDelivery {
  return {
    _id: d._id,
    documentId: d.documentId,
    senderOrgId: d.senderOrgId,
    recipientOrgId: d.recipientOrgId,
    urgency: d.urgency,
    dueDate: d.dueDate,
    status: d.status,
    change: d.change,
    withdrawn: d.withdrawn,
    createdAt: d.createdAt,
    history: d.history.map((h) => ({ code: h.code, at: h.at })),
  };
}

/** Counted whatever happens later: received and sent (withdrawn deliveries were sent). */
function volume(d: CountedDelivery): Bump[] {
  return [
    {
      orgId: String(d.recipientOrgId),
      at: d.createdAt,
      inc: { received: 1, [`recvU.${d.urgency}`]: 1 },
    },
    {
      orgId: String(d.senderOrgId),
      at: d.createdAt,
      inc: { sent: 1, [`sentU.${d.urgency}`]: 1, recalled: d.change?.kind === 'recall' ? 1 : 0 },
    },
  ];
}

/** What a delivery still held by its recipient contributes to the handling figures. */
function handling(d: CountedDelivery): Bump[] {
  const arrived = firstAt(d, STATUS.ARRIVED) ?? d.createdAt;
  const accepted = firstAt(d, STATUS.ACCEPTED);
  const completed = firstAt(d, STATUS.COMPLETED);
  const rejected = firstAt(d, STATUS.REJECTED) !== null || d.status === STATUS.REJECTED;
  const inc: Inc = {
    handled: 1,
    [hist('toArrived', arrived.getTime() - d.createdAt.getTime())]: 1,
  };
  if (accepted) {
    inc.accepted = 1;
    inc[hist('toAccepted', accepted.getTime() - arrived.getTime())] = 1;
    if (vnDayNumber(accepted) === vnDayNumber(arrived)) inc.sameDay = 1;
  }
  if (completed) {
    inc.completed = 1;
    inc[hist('toCompleted', completed.getTime() - arrived.getTime())] = 1;
  }
  if (rejected) inc.rejected = 1;
  const out: Bump[] = [{ orgId: String(d.recipientOrgId), at: d.createdAt, inc }];
  if (d.dueDate && !rejected)
    out.push({
      orgId: String(d.recipientOrgId),
      at: d.dueDate,
      inc: {
        due: 1,
        onTime: completed && completed <= d.dueDate ? 1 : 0,
        completedLate: completed && completed > d.dueDate ? 1 : 0,
      },
    });

  return out;
}

/** A delivery's whole contribution from its stored state (what a rebuild counts). */
export function contributionOf(d: CountedDelivery): Bump[] {
  return [...volume(d), ...(d.withdrawn ? [] : handling(d))];
}

function bumpsFor(d: CountedDelivery, code: TStatusCode, at: Date): Bump[] {
  const r = String(d.recipientOrgId);
  const arrived = () => firstAt(d, STATUS.ARRIVED) ?? d.createdAt;
  switch (code) {
    case STATUS.ARRIVED:
      return [
        ...volume({ ...d, change: null }),
        {
          orgId: r,
          at: d.createdAt,
          inc: { handled: 1, [hist('toArrived', at.getTime() - d.createdAt.getTime())]: 1 },
        },
        ...(d.dueDate ? [{ orgId: r, at: d.dueDate, inc: { due: 1 } }] : []),
      ];
    case STATUS.REJECTED:
      return [
        { orgId: r, at: d.createdAt, inc: { rejected: 1 } },
        ...(d.dueDate ? [{ orgId: r, at: d.dueDate, inc: { due: -1 } }] : []),
      ];
    case STATUS.ACCEPTED: {
      const a = arrived();
      const inc: Inc = {
        accepted: 1,
        sameDay: vnDayNumber(at) === vnDayNumber(a) ? 1 : 0,
        [hist('toAccepted', at.getTime() - a.getTime())]: 1,
      };

      return [{ orgId: r, at: d.createdAt, inc }];
    }
    case STATUS.COMPLETED:
      return [
        {
          orgId: r,
          at: d.createdAt,
          inc: { completed: 1, [hist('toCompleted', at.getTime() - arrived().getTime())]: 1 },
        },
        ...(d.dueDate
          ? [
              {
                orgId: r,
                at: d.dueDate,
                inc: at <= d.dueDate ? { onTime: 1 } : { completedLate: 1 },
              },
            ]
          : []),
      ];
    case STATUS.RECALLED:
      return d.change?.kind === 'recall'
        ? [{ orgId: String(d.senderOrgId), at: d.createdAt, inc: { recalled: 1 } }]
        : [];
    case STATUS.CHANGE_AGREED:
      // an agreed recall takes the copy away: it no longer counts as handled (facts.ts)
      return d.withdrawn ? negate(handling(d)) : [];
    default:
      return [];
  }
}

type DocDelivery = Pick<
  CountedDelivery,
  '_id' | 'documentId' | 'senderOrgId' | 'recipientOrgId' | 'createdAt'
>;

/**
 * Distinct documents per counter cell: a document counts once in a cell, credited to its
 * earliest delivery (by createdAt, then id) falling in that cell. The rule depends only on the
 * stored deliveries, so the incremental path and a rebuild credit the same delivery.
 */
export function distinctCells(
  cells: Cells,
  ancestry: Ancestry,
  ofOneDocument: DocDelivery[],
  credited: (d: DocDelivery) => boolean,
): void {
  const sorted = [...ofOneDocument].sort(
    (a, b) =>
      // ids are equal-length lowercase hex: plain comparison is their order, without ICU's cost
      a.createdAt.getTime() - b.createdAt.getTime() || (String(a._id) < String(b._id) ? -1 : 1),
  );
  const seen = new Set<string>();
  for (const d of sorted) {
    const keys = periodKeys(d.createdAt);
    for (const [field, org] of [
      ['sentDocs', d.senderOrgId],
      ['recvDocs', d.recipientOrgId],
    ] as const)
      for (const root of ancestry.get(String(org)) ?? [String(org)])
        for (const key of keys) {
          const id = `${root}|${key}`;
          if (seen.has(`${field}|${id}`)) continue;
          seen.add(`${field}|${id}`);
          if (credited(d)) addCell(cells, id, { [field]: 1 });
        }
  }
}

export type Transition = { delivery: CountedDelivery; code: TStatusCode; at: Date };

export function markOf(code: TStatusCode, d: Pick<DeliveryDoc, 'change'>): string {
  return code === STATUS.RECALLED ? `${STATUS.RECALLED}:${d.change?.kind ?? ''}` : code;
}

/** Pushes each transition onto its marker (created if absent); false where it was already there. */
async function push(ctx: HubContext, transitions: Transition[]): Promise<boolean[]> {
  const fresh = transitions.map(() => true);
  if (transitions.length === 0) return fresh;
  const ops: AnyBulkWriteOperation<Document>[] = transitions.map((t) => {
    const c = markOf(t.code, t.delivery);

    return {
      updateOne: {
        filter: { _id: t.delivery._id, c: { $ne: c } },
        // the facts as of this transition, for the exact overlay (mark-facts.ts)
        update: { $push: { c }, $set: markFacts(t.delivery) } as Document,
        upsert: true,
      },
    };
  });
  try {
    await ctx.db.conn.collection(MARKS).bulkWrite(ops, { ordered: false });
  } catch (err) {
    for (const k of duplicateIndexes(err)) fresh[k] = false;
  }

  return fresh;
}

/**
 * Arrivals (01) are nearly always their delivery's first transition, so their markers are
 * inserted: a batch insert costs the engine a fraction of an upsert each. A marker already there
 * (a replay, or a status change counted first) takes the push path, which tells the two apart.
 */
async function insertArrivals(ctx: HubContext, arrivals: Transition[]): Promise<boolean[]> {
  if (arrivals.length === 0) return [];
  const docs = arrivals.map((t) => ({
    _id: t.delivery._id,
    c: [STATUS.ARRIVED],
    ...markFacts(t.delivery),
  }));
  let taken: number[] = [];
  try {
    await ctx.db.conn.collection(MARKS).insertMany(docs as Document[], { ordered: false });
  } catch (err) {
    taken = duplicateIndexes(err);
  }
  const fresh = arrivals.map(() => true);
  const pushed = await push(
    ctx,
    taken.map((i) => arrivals[i]!),
  );
  taken.forEach((i, k) => (fresh[i] = pushed[k]!));

  return fresh;
}

/** Claims each transition's marker; false where it was already counted. */
async function claim(ctx: HubContext, transitions: Transition[]): Promise<boolean[]> {
  const arrivals = transitions.filter((t) => t.code === STATUS.ARRIVED);
  const others = transitions.filter((t) => t.code !== STATUS.ARRIVED);
  const [a, o] = await Promise.all([insertArrivals(ctx, arrivals), push(ctx, others)]);

  return transitions.map((t) => (t.code === STATUS.ARRIVED ? a : o).shift()!);
}

async function distinctForArrivals(
  ctx: HubContext,
  cells: Cells,
  arrivals: CountedDelivery[],
  ancestry: Ancestry,
): Promise<void> {
  if (arrivals.length === 0) return;
  const docIds = [...new Map(arrivals.map((d) => [String(d.documentId), d.documentId])).values()];
  const stored = await Deliveries(ctx.db.conn)
    .collection.find(
      { documentId: { $in: docIds } },
      { projection: { documentId: 1, senderOrgId: 1, recipientOrgId: 1, createdAt: 1 } },
    )
    .toArray();
  const byDoc = new Map<string, Map<string, DocDelivery>>();
  for (const d of [...(stored as unknown as DocDelivery[]), ...arrivals]) {
    const k = String(d.documentId);
    if (!byDoc.has(k)) byDoc.set(k, new Map());
    byDoc.get(k)!.set(String(d._id), d);
  }
  const orgs = [...byDoc.values()].flatMap((m) =>
    [...m.values()].flatMap((d) => [String(d.senderOrgId), String(d.recipientOrgId)]),
  );
  const more = await loadAncestry(
    ctx,
    orgs.filter((o) => !ancestry.has(o)),
  );
  for (const [k, v] of more) ancestry.set(k, v);
  const credit = new Set(arrivals.map((d) => String(d._id)));
  for (const m of byDoc.values())
    distinctCells(cells, ancestry, [...m.values()], (d) => credit.has(String(d._id)));
}

/**
 * The exchange module calls this after each committed transition write, with the delivery as
 * stored after the write: 01 for each new delivery, 02/03/06 from status changes, 13 for a recall
 * request, 15 when an agreed recall withdraws the copy. Calling it twice counts once.
 */
export async function recordTransition(
  ctx: HubContext,
  delivery: CountedDelivery,
  code: TStatusCode,
  at: Date,
): Promise<void> {
  await recordTransitions(ctx, [{ delivery, code, at }]);
}

/**
 * Claims the transitions' markers and adds what the fresh ones count to `cells`; returns the
 * drill-down exceptions to store with them. Two transitions of one delivery would race for its
 * marker, so a delivery's second one waits for a later round.
 */
export async function countTransitions(
  ctx: HubContext,
  transitions: Transition[],
  cells: Cells,
): Promise<Document[]> {
  const exceptions: Document[] = [];
  let rest = transitions;
  while (rest.length > 0) {
    const ids = new Set<string>();
    const now: Transition[] = [];
    const later: Transition[] = [];
    for (const t of rest) {
      const id = String(t.delivery._id);
      (ids.has(id) ? later : now).push(t);
      ids.add(id);
    }
    const fresh = await claim(ctx, now);
    const todo = now.filter((_, i) => fresh[i]);
    const bumps = todo.flatMap((t) => bumpsFor(t.delivery, t.code, t.at));
    const ancestry = await loadAncestry(
      ctx,
      bumps.map((b) => b.orgId),
    );
    spread(cells, ancestry, bumps);
    const arrivals = todo.filter((t) => t.code === STATUS.ARRIVED).map((t) => t.delivery);
    await distinctForArrivals(ctx, cells, arrivals, ancestry);
    exceptions.push(...arrivals.flatMap(deliveryExceptions));
    rest = later;
  }

  return exceptions;
}

/** Many transitions at once (a dispatch's 01s): one marker bulk, one org read, one counter bulk. */
export async function recordTransitions(ctx: HubContext, transitions: Transition[]): Promise<void> {
  const cells: Cells = new Map();
  const exceptions = await countTransitions(ctx, transitions, cells);
  await Promise.all([writeCells(ctx, cells), recordExceptions(ctx, exceptions)]);
}

/** Whole years, then whole months, then loose days covering [from, to] (inclusive days). */
export function counterKeys(from: string, to: string): string[] {
  const keys: string[] = [];
  let day = vnDayStart(from);
  const last = vnDayStart(to);
  const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
  while (day <= last) {
    const iso = vnIsoDate(day);
    const y = Number(iso.slice(0, 4));
    const m = Number(iso.slice(5, 7));
    const yearEnd = vnDayStart(`${y}-12-31`);
    const nextMonth = vnDayStart(
      m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`,
    );
    if (iso.endsWith('-01-01') && yearEnd <= last) {
      keys.push(`y:${y}`);
      day = addDays(yearEnd, 1);
    } else if (iso.endsWith('-01') && addDays(nextMonth, -1) <= last) {
      keys.push(`m:${iso.slice(0, 7)}`);
      day = nextMonth;
    } else {
      keys.push(`d:${iso}`);
      day = addDays(day, 1);
    }
  }

  return keys;
}

/** Sums of the counter documents with these ids (absent ones count zero). */
export async function sumCounters(ctx: HubContext, ids: string[]): Promise<Map<string, Sums>> {
  const docs = await ctx.db.conn
    .collection(COUNTERS)
    .find({ _id: { $in: ids as never[] } })
    .toArray();

  return new Map(docs.map((d) => [String(d._id), d as unknown as Sums]));
}

/** Counter totals of an organization's subtree over inclusive Vietnam days. */
export async function readCounters(
  ctx: HubContext,
  orgId: string,
  from: string,
  to: string,
): Promise<CounterValues> {
  const ids = counterKeys(from, to).map((k) => `${orgId}|${k}`);
  const total: Sums = {};
  for (const d of (await sumCounters(ctx, ids)).values()) sumInto(total, d);
  const out = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as CounterValues;
  for (const f of COUNTER_FIELDS) out[f] = Number(total[f] ?? 0);

  return out;
}

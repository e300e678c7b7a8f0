import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { Types } from 'mongoose';
import type { TStatusCode } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import type { DeliveryDoc } from '../exchange/delivery.model.js';
import { Orgs } from '../orgs/org.model.js';
import { vnDayNumber, vnDayStart, vnIsoDate } from './calendar.js';

/**
 * Incremental counters for the dashboard at scale: per organization (rolled up over its
 * subtree), per Vietnam day, month and year of each fact set's cohort date. Same definitions as
 * facts.ts (docs/statistics.md); the aggregation stays the exact reference they are tested
 * against. Percentiles and distinct-document counts are not kept here.
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

const COUNTERS = 'stats_counters';
const APPLIED = 'stats_applied';

function firstAt(d: DeliveryDoc, code: TStatusCode): Date | null {
  let m: Date | null = null;
  for (const h of d.history) if (h.code === code && (!m || h.at < m)) m = h.at;

  return m;
}

function periodKeys(at: Date): string[] {
  const day = vnIsoDate(at);

  return [`d:${day}`, `m:${day.slice(0, 7)}`, `y:${day.slice(0, 4)}`];
}

type Bump = { orgId: Types.ObjectId; at: Date; inc: Partial<CounterValues> };

/** Sums every bump into its counter documents (each ancestor × day, month, year): one bulk write. */
async function apply(ctx: HubContext, bumps: Bump[]): Promise<void> {
  if (bumps.length === 0) return;
  const ids = [...new Set(bumps.map((b) => String(b.orgId)))];
  const orgs = await Orgs(ctx.db.conn)
    .find({ _id: { $in: ids } }, { ancestors: 1 })
    .lean();
  const ancestors = new Map(orgs.map((o) => [String(o._id), o.ancestors.map(String)]));
  const sums = new Map<string, Record<string, number>>();
  for (const b of bumps) {
    for (const root of [...(ancestors.get(String(b.orgId)) ?? []), String(b.orgId)])
      for (const key of periodKeys(b.at)) {
        const id = `${root}|${key}`;
        const inc = sums.get(id) ?? {};
        for (const [f, v] of Object.entries(b.inc)) inc[f] = (inc[f] ?? 0) + (v ?? 0);
        sums.set(id, inc);
      }
  }
  const ops: AnyBulkWriteOperation<Document>[] = [...sums].map(([id, inc]) => ({
    updateOne: { filter: { _id: id as never }, update: { $inc: inc }, upsert: true },
  }));
  await ctx.db.conn.collection(COUNTERS).bulkWrite(ops, { ordered: false });
}

/** What a delivery contributes to the handling counters, to undo it when it is withdrawn. */
function handlingShare(d: DeliveryDoc): Bump[] {
  const arrived = firstAt(d, '01') ?? d.createdAt;
  const accepted = firstAt(d, '03');
  const completed = firstAt(d, '06');
  const rejected = firstAt(d, '02') !== null;
  const out: Bump[] = [
    {
      orgId: d.recipientOrgId,
      at: d.createdAt,
      inc: {
        handled: -1,
        accepted: accepted ? -1 : 0,
        sameDay: accepted && vnDayNumber(accepted) === vnDayNumber(arrived) ? -1 : 0,
        completed: completed ? -1 : 0,
        rejected: rejected ? -1 : 0,
      },
    },
  ];
  if (d.dueDate && !rejected)
    out.push({
      orgId: d.recipientOrgId,
      at: d.dueDate,
      inc: {
        due: -1,
        onTime: completed && completed <= d.dueDate ? -1 : 0,
        completedLate: completed && completed > d.dueDate ? -1 : 0,
      },
    });

  return out;
}

function bumpsFor(d: DeliveryDoc, code: TStatusCode, at: Date): Bump[] {
  const r = d.recipientOrgId;
  switch (code) {
    case '01':
      return [
        { orgId: r, at: d.createdAt, inc: { received: 1, handled: 1 } },
        { orgId: d.senderOrgId, at: d.createdAt, inc: { sent: 1 } },
        ...(d.dueDate ? [{ orgId: r, at: d.dueDate, inc: { due: 1 } }] : []),
      ];
    case '02':
      return [
        { orgId: r, at: d.createdAt, inc: { rejected: 1 } },
        ...(d.dueDate ? [{ orgId: r, at: d.dueDate, inc: { due: -1 } }] : []),
      ];
    case '03': {
      const arrived = firstAt(d, '01') ?? d.createdAt;
      const same = vnDayNumber(at) === vnDayNumber(arrived) ? 1 : 0;

      return [{ orgId: r, at: d.createdAt, inc: { accepted: 1, sameDay: same } }];
    }
    case '06':
      return [
        { orgId: r, at: d.createdAt, inc: { completed: 1 } },
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
    case '13':
      return d.change?.kind === 'recall'
        ? [{ orgId: d.senderOrgId, at: d.createdAt, inc: { recalled: 1 } }]
        : [];
    case '15':
      return d.withdrawn ? handlingShare(d) : [];
    default:
      return [];
  }
}

/**
 * The exchange module calls this after each committed transition write, with the delivery as
 * stored after the write: 01 for each new delivery, 02/03/06 from status changes, 13 for a recall
 * request, 15 when an agreed recall withdraws the copy. Calling it twice counts once.
 */
export async function recordTransition(
  ctx: HubContext,
  delivery: DeliveryDoc,
  code: TStatusCode,
  at: Date,
): Promise<void> {
  await recordTransitions(ctx, [{ delivery, code, at }]);
}

export type Transition = { delivery: DeliveryDoc; code: TStatusCode; at: Date };

function appliedId(t: Transition): string {
  const kind = t.code === '13' ? `:${t.delivery.change?.kind ?? ''}` : '';

  return `${String(t.delivery._id)}:${t.code}${kind}`;
}

/** Many transitions at once (a dispatch's 01s): one marker insert, one org read, one bulk write. */
export async function recordTransitions(ctx: HubContext, transitions: Transition[]): Promise<void> {
  if (transitions.length === 0) return;
  const markers = transitions.map((t) => ({ _id: appliedId(t) as never, at: new Date() }));
  let skipped = new Set<number>();
  try {
    await ctx.db.conn.collection(APPLIED).insertMany(markers, { ordered: false });
  } catch (err) {
    const raw = (err as { writeErrors?: unknown }).writeErrors;
    const errors = (Array.isArray(raw) ? raw : raw ? [raw] : []) as {
      code: number;
      index: number;
    }[];
    if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw err;
    skipped = new Set(errors.map((e) => e.index));
  }
  await apply(
    ctx,
    transitions
      .filter((_, i) => !skipped.has(i))
      .flatMap((t) => bumpsFor(t.delivery, t.code, t.at)),
  );
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

/** Counter totals of an organization's subtree over inclusive Vietnam days. */
export async function readCounters(
  ctx: HubContext,
  orgId: string,
  from: string,
  to: string,
): Promise<CounterValues> {
  const ids = counterKeys(from, to).map((k) => `${orgId}|${k}`);
  const docs = await ctx.db.conn
    .collection(COUNTERS)
    .find({ _id: { $in: ids as never[] } })
    .toArray();
  const out = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as CounterValues;
  for (const d of docs) for (const f of COUNTER_FIELDS) out[f] += Number(d[f] ?? 0);

  return out;
}

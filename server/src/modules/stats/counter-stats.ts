import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { collectionNames, emptyCounts, LATENCIES, type Counts } from './aggregate.js';
import {
  nextPeriodStart,
  periodLabel,
  periodStart,
  vnDayStart,
  vnIsoDate,
} from '../scope/index.js';
import { GRAIN_PREFIX, sumInto, unfieldKey, type Sums } from './counter-cells.js';
import { counterKeys, sumCounters } from './counters.js';
import { Deliveries } from '../exchange/index.js';
import { factStages } from './facts.js';
import { histogramPercentile, type Histogram } from './latency-histogram.js';

const DAY_MS = 86_400_000;

/** The counter key of [from, to] when it is exactly one day, week, month, quarter or year. */
export function singleKey(from: string, to: string): string | null {
  const start = vnDayStart(from);
  const end = vnDayStart(to).getTime() + DAY_MS;
  for (const [grain, prefix] of Object.entries(GRAIN_PREFIX) as [
    keyof typeof GRAIN_PREFIX,
    string,
  ][])
    if (
      periodStart(start, grain).getTime() === start.getTime() &&
      nextPeriodStart(start, grain).getTime() === end
    )
      return `${prefix}:${periodLabel(start, grain)}`;

  return null;
}

/** Counter keys covering [from, to]: one when it is a whole period, else years, months, days. */
export function keysFor(from: string, to: string): string[] {
  const one = singleKey(from, to);

  return one ? [one] : counterKeys(from, to);
}

export type CounterBucket = { label: string; from: string; to: string };

const num = (s: Sums, k: string) => (typeof s[k] === 'number' ? s[k] : 0);
const map = (s: Sums, k: string): Record<string, number> => {
  const v = s[k];
  const out: Record<string, number> = {};
  if (v && typeof v === 'object')
    for (const [kk, n] of Object.entries(v)) if (typeof n === 'number' && n !== 0) out[kk] = n;

  return out;
};

/** Counts as the aggregation shapes them, from summed counters (open/overdue split apart). */
function countsOf(s: Sums, distinctExact: boolean): Counts {
  const c = emptyCounts();
  c.sets.outgoing = {
    n: num(s, 'outgoing'),
    flags: { seal: num(s, 'seal'), personal: num(s, 'personal') },
  };
  c.sets.sent = { n: num(s, 'sent'), flags: { recalled: num(s, 'recalled') } };
  c.sets.received = {
    n: num(s, 'received'),
    flags: Object.fromEntries(
      ['handled', 'sameDay', 'accepted', 'completed', 'rejected'].map((f) => [f, num(s, f)]),
    ),
  };
  c.sets.due = {
    n: num(s, 'due'),
    flags: { onTime: num(s, 'onTime'), completedLate: num(s, 'completedLate') },
  };
  c.byUrgency = {
    outgoing: map(s, 'outU'),
    sent: map(s, 'sentU'),
    received: map(s, 'recvU'),
    due: {},
  };
  c.outgoingByType = Object.fromEntries(
    Object.entries(map(s, 'outT')).map(([k, n]) => [unfieldKey(k), n]),
  );
  c.distinctDocuments = { sent: num(s, 'sentDocs'), received: num(s, 'recvDocs') };
  const h = (s.h ?? {}) as Sums;
  c.approx = { distinct: !distinctExact, latency: {} };
  for (const l of LATENCIES) {
    const hist = map(h, l) as Histogram;
    const n = Object.values(hist).reduce((a, b) => a + b, 0);
    const p = (q: number) => histogramPercentile(hist, n, q);
    const [p50, p90, p99] = [p(50), p(90), p(99)];
    c.latency[l] = { n, p50: p50.value, p90: p90.value, p99: p99.value };
    c.approx.latency![l] = { p50, p90, p99 };
  }

  return c;
}

function total(docs: Map<string, Sums>, ids: string[]): Sums {
  const out: Sums = {};
  for (const id of ids) {
    const d = docs.get(id);
    if (d) sumInto(out, d);
  }

  return out;
}

const open = (s: Sums) => num(s, 'due') - num(s, 'onTime') - num(s, 'completedLate');

/**
 * Open due deliveries of the asOf day whose due instant has already passed: one aggregation over
 * the due instants in [day start, asOf) — an empty index range when due dates are ends of days,
 * as the exchange stores them, whatever the size of the subtree.
 */
async function passedOn(
  ctx: HubContext,
  orgIds: Types.ObjectId[],
  day: string,
  asOf: Date,
): Promise<number> {
  const rows = await Deliveries(ctx.db.conn)
    .collection.aggregate<{ n: number }>([
      ...factStages('due', {
        orgIds,
        start: vnDayStart(day),
        end: asOf,
        asOf,
        collections: collectionNames(ctx),
      }),
      { $match: { openOverdue: true } },
      { $count: 'n' },
    ])
    .toArray();

  return rows[0]?.n ?? 0;
}

/**
 * Counts per bucket from the counters of the subtree's root: a handful of documents per bucket.
 * Counts are exact; percentiles are histogram bounds (`approx`); distinct documents are exact
 * when the bucket is one whole calendar period, else the sum over its pieces (an upper bound).
 * "Open, not yet due" depends on the instant asked: days before asOf's day are all overdue, days
 * after all not due, and asOf's own day is its open deliveries (its day counter) less those whose
 * due instant is already behind asOf (passedOn).
 */
export async function countsFromCounters(
  ctx: HubContext,
  scope: { orgId: string; orgIds: Types.ObjectId[] },
  buckets: CounterBucket[],
  asOf: Date,
): Promise<Map<string, Counts>> {
  const today = vnIsoDate(asOf);
  const tomorrow = vnIsoDate(new Date(vnDayStart(today).getTime() + DAY_MS));
  const plan = buckets.map((b) => ({
    b,
    keys: keysFor(b.from, b.to),
    after: b.from <= today && today < b.to ? keysFor(tomorrow, b.to) : [],
  }));
  const ids = (keys: string[]) => keys.map((k) => `${scope.orgId}|${k}`);
  const todayKey = ids([`d:${today}`]);
  const holdsToday = plan.some((p) => p.b.from <= today && today <= p.b.to);
  const docs = await sumCounters(ctx, [
    ...new Set([
      ...plan.flatMap((p) => [...ids(p.keys), ...ids(p.after)]),
      ...(holdsToday ? todayKey : []),
    ]),
  ]);
  const notDueToday = holdsToday
    ? open(total(docs, todayKey)) - (await passedOn(ctx, scope.orgIds, today, asOf))
    : 0;
  const out = new Map<string, Counts>();
  for (const p of plan) {
    const s = total(docs, ids(p.keys));
    const c = countsOf(s, p.keys.length === 1);
    const all = open(s);
    let notDue: number;
    if (p.b.to < today) notDue = 0;
    else if (p.b.from > today) notDue = all;
    else notDue = open(total(docs, ids(p.after))) + notDueToday;
    const f = c.sets.due.flags;
    f.openNotDue = notDue;
    f.openOverdue = all - notDue;
    f.overdue = f.completedLate! + f.openOverdue;
    out.set(p.b.label, c);
  }

  return out;
}

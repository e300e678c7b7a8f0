import type { Document } from 'mongodb';
import type { TUrgency } from '../contracts/documents.js';
import { vnIsoDate } from '../modules/scope/index.js';
import { carriedSignatures } from '../modules/stats/index.js';
import {
  DAY_MS,
  dayOf,
  dayStart,
  timeOnDay,
  workCalendar,
  type WorkCalendar,
} from './synthetic-calendar.js';
import {
  URGENCY,
  addCorrection,
  makeDocument,
  type DocumentPlan,
  type Staff,
} from './synthetic-documents.js';
import { buildExchange, type Built, type ChangeRequest } from './synthetic-exchange.js';
import { makeOrgTree, orgDocument, personName, type SynOrg } from './synthetic-orgs.js';
import { ID_KIND, IdMaker, Weighted, createRng, type Rng } from './synthetic-random.js';
import { directory, recipientsOf, type OrgDirectory } from './synthetic-recipients.js';

/**
 * Generates the synthetic history day by day in time order and hands it to `sinks` in batches
 * (one insert in flight while the next batch is generated: the engine and this process each
 * keep one core busy). Deterministic: the same seed and clock give the same records, ids
 * included.
 */
const HOUR = 3_600_000;
const WINDOW_DAYS = 730;
/** Small batches: a batch's objects die young, before the collector promotes them (3× faster). */
const BATCH = 1_000;

export type Sinks = {
  orgs(docs: Document[]): Promise<unknown>;
  documents(docs: Document[]): Promise<unknown>;
  dispatches(docs: Document[]): Promise<unknown>;
  deliveries(docs: Document[]): Promise<unknown>;
  /** Document number counters (one upsert per organization and year). */
  numbers(ops: Document[]): Promise<unknown>;
};

/** What was generated, counted as it was generated (printed by the command). */
export type HistoryTally = {
  statuses: Record<string, number>;
  recipients: { documents: number; deliveries: number; max: number };
  agencyDocuments: { total: number; seal: number; personal: number };
  /** Deliveries whose due day has passed (not rejected, not withdrawn) and how they ended. */
  pastDue: { total: number; onTime: number; late: number; open: number };
  withDueDate: number;
  recalled: number;
  withdrawn: number;
  updated: number;
  redispatched: number;
};

export type History = {
  from: string;
  to: string;
  documents: number;
  dispatches: number;
  tally: HistoryTally;
};

function emptyTally(): HistoryTally {
  return {
    statuses: {},
    recipients: { documents: 0, deliveries: 0, max: 0 },
    agencyDocuments: { total: 0, seal: 0, personal: 0 },
    pastDue: { total: 0, onTime: 0, late: 0, open: 0 },
    withDueDate: 0,
    recalled: 0,
    withdrawn: 0,
    updated: 0,
    redispatched: 0,
  };
}

/** Poisson draw (normal approximation above 30). */
function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    const u = 1 - rng.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());

    return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;

  return k;
}

const DUE_SHARE: Record<SynOrg['level'], number> = {
  central: 0.4,
  province: 0.55,
  department: 0.5,
  district: 0.45,
  commune: 0.12,
  unit: 0.1,
};
const DUE_DAYS: Record<TUrgency, [number, number]> = {
  hoa_toc: [0, 1],
  thuong_khan: [1, 3],
  khan: [2, 7],
  thuong: [5, 25],
};

type Generator = {
  rng: Rng;
  ids: IdMaker;
  cal: WorkCalendar;
  dir: OrgDirectory;
  staff: Map<SynOrg, Staff>;
  numbers: Map<string, number>;
  now: number;
  tally: HistoryTally;
};

function tallyDeliveries(g: Generator, built: Built): void {
  const t = g.tally;
  for (const d of built.deliveries as {
    status: string;
    withdrawn: boolean;
    change: { kind: string } | null;
    dueDate: Date | null;
    history: { code: string; at: Date }[];
  }[]) {
    t.statuses[d.status] = (t.statuses[d.status] ?? 0) + 1;
    if (d.withdrawn) t.withdrawn++;
    if (d.change?.kind === 'recall') t.recalled++;
    if (d.change?.kind === 'update') t.updated++;
    if (!d.dueDate) continue;
    t.withDueDate++;
    if (d.withdrawn || d.status === '02' || d.dueDate.getTime() >= g.now) continue;
    const done = d.history.find((h) => h.code === '06');
    t.pastDue.total++;
    if (!done) t.pastDue.open++;
    else if (done.at <= d.dueDate) t.pastDue.onTime++;
    else t.pastDue.late++;
  }
}

/** A change the sender asks for after dispatch, if any (recall 0.6 %, update 0.4 %). */
function changeOf(
  g: Generator,
  plan: DocumentPlan,
  sender: SynOrg,
  at: number,
): ChangeRequest | null {
  const x = g.rng.next();
  if (x >= 0.01) return null;
  const when = at + Math.max(10 * 60_000, Math.floor(g.rng.logNormal(5 * HOUR, 1.2)));
  if (when > g.now) return null;
  if (x < 0.006)
    return {
      kind: 'recall',
      at: when,
      reason: 'Văn bản ban hành chưa đúng thẩm quyền, thu hồi để xử lý lại',
    };
  const version = addCorrection(g.rng, g.ids, plan, sender, when - 10 * 60_000);

  return { kind: 'update', at: when, reason: 'Đính chính sai sót trong văn bản', version };
}

/** One document, its dispatch (and sometimes a later one to more recipients); deliveries made. */
function emitDocument(
  g: Generator,
  sender: SynOrg,
  at: number,
  room: number,
  out: { documents: Document[]; dispatches: Document[]; deliveries: Document[] },
): number {
  const { rng } = g;
  const day = dayOf(at);
  const urgency = URGENCY.draw(rng);
  let dueDay: number | null = null;
  if (rng.chance(DUE_SHARE[sender.level])) {
    const [lo, hi] = DUE_DAYS[urgency];
    dueDay = day + rng.between(lo, hi);
  }
  const due = dueDay === null ? null : dayStart(dueDay + 1) - 1;
  const recipients = recipientsOf(rng, g.dir, sender).slice(0, room);
  const plan = makeDocument(rng, g.ids, {
    org: sender,
    staff: g.staff.get(sender)!,
    at,
    issueDay: vnIsoDate(new Date(at)),
    urgency,
    dueDay: dueDay === null ? null : vnIsoDate(new Date(dayStart(dueDay))),
    number: (year) => {
      const k = `${String(sender._id)}:${year}`;
      const n = (g.numbers.get(k) ?? 0) + 1;
      g.numbers.set(k, n);

      return n;
    },
  });
  const change = changeOf(g, plan, sender, at);
  const staffOf = (o: SynOrg) => g.staff.get(o)!;
  const base = { plan, sender, staffOf, due, now: g.now };
  const dispatches = [buildExchange(rng, g.ids, g.cal, { ...base, recipients, at, change })];
  const later = at + Math.max(10 * 60_000, Math.floor(rng.logNormal(DAY_MS, 1.5)));
  if (rng.chance(0.03) && later < g.now && room > recipients.length) {
    const sent = new Set(recipients);
    const more = recipientsOf(rng, g.dir, sender)
      .filter((r) => !sent.has(r))
      .slice(0, Math.min(3, room - recipients.length));
    if (more.length) {
      g.tally.redispatched++;
      dispatches.push(
        buildExchange(rng, g.ids, g.cal, { ...base, recipients: more, at: later, change: null }),
      );
    }
  }
  const doc = plan.doc;
  doc.sharedWith = dispatches.flatMap((d) => d.dispatch.recipients as SynOrg['_id'][]);
  if (change?.kind === 'recall') doc.status = 'recalled';
  const made = dispatches.reduce((a, d) => a + d.deliveries.length, 0);
  const t = g.tally;
  t.recipients.documents++;
  t.recipients.deliveries += made;
  t.recipients.max = Math.max(t.recipients.max, made);
  if (sender.kind === 'agency') {
    const kinds = carriedSignatures(doc.versions, plan.dispatched._id);
    t.agencyDocuments.total++;
    if (kinds.has('seal')) t.agencyDocuments.seal++;
    if (kinds.has('personal')) t.agencyDocuments.personal++;
  }
  out.documents.push(doc as unknown as Document);
  for (const d of dispatches) {
    tallyDeliveries(g, d);
    out.dispatches.push(d.dispatch);
    out.deliveries.push(...d.deliveries);
  }

  return made;
}

/** Today's office hours that have passed (0–1): the last day of the window is partial. */
function elapsedShare(now: number): number {
  const inDay = now - dayStart(dayOf(now));

  return Math.min(1, Math.max(0.02, (inDay - 7 * HOUR) / (10 * HOUR)));
}

export async function generateHistory(
  opts: { deliveries: number; seed: number; now: Date },
  sinks: Sinks,
  onBatch: (done: number) => void,
): Promise<History> {
  const now = opts.now.getTime();
  const lastDay = dayOf(now);
  const firstDay = lastDay - WINDOW_DAYS + 1;
  const rng = createRng(opts.seed);
  const ids = new IdMaker(opts.seed);
  const cal = workCalendar(firstDay, WINDOW_DAYS);
  cal.weights[WINDOW_DAYS - 1]! *= elapsedShare(now);
  const orgs = makeOrgTree(rng, ids, dayStart(firstDay) - 30 * DAY_MS);
  const staff = new Map<SynOrg, Staff>(
    orgs.map((o) => [
      o,
      {
        clerkId: ids.make(ID_KIND.person, dayStart(firstDay)),
        clerkName: personName(rng),
        handlerId: ids.make(ID_KIND.person, dayStart(firstDay)),
        deputyName: personName(rng),
      },
    ]),
  );
  const orgsAt = new Date(dayStart(firstDay) - 30 * DAY_MS);
  await sinks.orgs(orgs.map((o) => orgDocument(o, orgsAt)));
  const g: Generator = {
    rng,
    ids,
    cal,
    dir: directory(orgs),
    staff,
    numbers: new Map(),
    now,
    tally: emptyTally(),
  };
  const senders = new Weighted(orgs.map((o) => [o, o.activity] as const));
  const tail = new Float64Array(WINDOW_DAYS + 1);
  for (let i = WINDOW_DAYS - 1; i >= 0; i--) tail[i] = tail[i + 1]! + cal.weights[i]!;
  let out = {
    documents: [] as Document[],
    dispatches: [] as Document[],
    deliveries: [] as Document[],
  };
  // two batches in flight: the engine writes one while this process serializes the next
  const inflight: Promise<unknown>[] = [];
  let made = 0;
  let docs = 0;
  let dispatches = 0;
  const flush = async () => {
    const batch = out;
    out = { documents: [], dispatches: [], deliveries: [] };
    docs += batch.documents.length;
    dispatches += batch.dispatches.length;
    if (inflight.length >= 2) await inflight.shift();
    onBatch(made);
    inflight.push(
      Promise.all([
        batch.documents.length ? sinks.documents(batch.documents) : null,
        batch.dispatches.length ? sinks.dispatches(batch.dispatches) : null,
        batch.deliveries.length ? sinks.deliveries(batch.deliveries) : null,
      ]),
    );
  };
  for (let i = 0; i < WINDOW_DAYS && made < opts.deliveries; i++) {
    const day = firstDay + i;
    const last = i === WINDOW_DAYS - 1;
    const mean = docs + out.documents.length > 0 ? made / (docs + out.documents.length) : 3.5;
    const target = ((opts.deliveries - made) * cal.weights[i]!) / tail[i]!;
    const count = last ? Number.POSITIVE_INFINITY : poisson(rng, target / mean);
    const end = last ? now : dayStart(day + 1);
    for (let k = 0; k < count && made < opts.deliveries; k++) {
      let at = timeOnDay(rng, day);
      if (at >= end) at = dayStart(day) + Math.floor(rng.next() * (end - dayStart(day)));
      made += emitDocument(g, senders.draw(rng), at, opts.deliveries - made, out);
      if (out.deliveries.length >= BATCH) await flush();
    }
  }
  await flush();
  await Promise.all(inflight);
  onBatch(made);
  await sinks.numbers(
    [...g.numbers].map(([k, seq]) => ({
      updateOne: {
        filter: { _id: `${k}:chung` },
        update: { $max: { seq } },
        upsert: true,
      },
    })),
  );

  return {
    from: vnIsoDate(new Date(dayStart(firstDay))),
    to: vnIsoDate(new Date(now)),
    documents: docs,
    dispatches,
    tally: g.tally,
  };
}

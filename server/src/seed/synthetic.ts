import type { Collection, Document, IndexDescription } from 'mongodb';
import type { HubContext } from '../context.js';
import { HUB_ORG_CODE } from '../modules/auth/index.js';
import { DocumentCounters, Documents } from '../modules/documents/index.js';
import { Deliveries, Dispatches } from '../modules/exchange/index.js';
import { Orgs } from '../modules/orgs/index.js';
import {
  rebuildCounters,
  type RebuildReport,
  STATS_INDEXES,
  ensureStatsIndexes,
  indexOptions,
} from '../modules/stats/index.js';
import { generateHistory, type HistoryTally } from './synthetic-generate.js';
import { SYNTHETIC_ORGS } from './synthetic-orgs.js';

/**
 * `lienthong seed --synthetic N`: a realistic two-year history of a 500-organization province
 * (synthetic-orgs.ts), N deliveries written straight into the collections with unordered bulk
 * inserts, then the statistics counters rebuilt from them (rebuildCounters), so the dashboard can
 * be tried — and measured, `npm run bench -- stats` — at scale. Every record carries
 * `synthetic: true`; organizations' codes start with `SYN-`.
 */
export const SYNTHETIC_VERSION = 1;
/** One document describing the synthetic history in the database (size, seed, clock). */
export const SYNTHETIC_RUNS = 'synthetic_runs';
export const MAX_SYNTHETIC = 10_000_000;

export class SyntheticRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyntheticRefused';
  }
}

export type SyntheticPhase = 'clear' | 'load' | 'indexes' | 'counters';
export type SyntheticProgress = { phase: SyntheticPhase; done?: number; total?: number };

export type SyntheticOptions = {
  deliveries: number;
  seed?: number;
  /** The clock of the history: it covers the two years before this instant. Default: now. */
  now?: Date;
  /** Add to a database that holds other (real) data. */
  force?: boolean;
  onProgress?: (p: SyntheticProgress) => void;
};

export type SyntheticRun = {
  version: number;
  seed: number;
  deliveries: number;
  now: string;
  from: string;
  to: string;
  generatedAt: string;
};

export type SyntheticReport = SyntheticRun & {
  organizations: number;
  documents: number;
  dispatches: number;
  tally: HistoryTally;
  counters: RebuildReport;
  ms: { clear: number; load: number; indexes: number; counters: number; total: number };
};

const CORE = ['documents', 'dispatches', 'deliveries'] as const;

function collections(ctx: HubContext): Record<(typeof CORE)[number], Collection<Document>> {
  const c = ctx.db.conn;

  return {
    documents: Documents(c).collection as unknown as Collection<Document>,
    dispatches: Dispatches(c).collection as unknown as Collection<Document>,
    deliveries: Deliveries(c).collection as unknown as Collection<Document>,
  };
}

/** Records that are not synthetic (the hub's own organization aside), per collection. */
export async function realData(ctx: HubContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {
    organizations: await Orgs(ctx.db.conn).collection.countDocuments(
      { synthetic: { $ne: true }, code: { $ne: HUB_ORG_CODE } },
      { limit: 1_000_000 },
    ),
  };
  for (const [name, coll] of Object.entries(collections(ctx)))
    out[name] = await coll.countDocuments({ synthetic: { $ne: true } }, { limit: 1_000_000 });

  return out;
}

/**
 * Removes an earlier synthetic history. When the three exchange collections hold nothing else,
 * they are dropped and reloaded without indexes, which are built once at the end (much faster
 * than maintaining ten indexes per insert); else the synthetic records are deleted one by one.
 */
async function clearSynthetic(ctx: HubContext, dropCore: boolean): Promise<void> {
  const orgs = Orgs(ctx.db.conn).collection;
  const old = await orgs.find({ synthetic: true }, { projection: { _id: 1 } }).toArray();
  if (old.length)
    await DocumentCounters(ctx.db.conn).collection.deleteMany({
      _id: { $regex: `^(${old.map((o) => String(o._id)).join('|')}):` } as never,
    });
  await orgs.deleteMany({ synthetic: true });
  for (const coll of Object.values(collections(ctx)))
    if (dropCore) await coll.drop().catch(() => undefined);
    else await coll.deleteMany({ synthetic: true });
}

/**
 * The exchange collections' indexes (their models' and the statistics'), built after the load:
 * one `createIndexes` per collection builds all of them in a single pass over it, the three
 * collections side by side.
 */
async function buildIndexes(ctx: HubContext): Promise<void> {
  const c = ctx.db.conn;
  const models = { documents: Documents(c), dispatches: Dispatches(c), deliveries: Deliveries(c) };
  await Promise.all(
    Object.entries(models).map(([name, model]) => {
      const specs = model.schema
        .indexes()
        .map(([key, options]) => ({ ...options, key }) as IndexDescription);
      for (const i of STATS_INDEXES)
        if (i.model === name) specs.push({ key: { ...i.key }, ...indexOptions(i) });

      return (model.collection as unknown as Collection<Document>).createIndexes(specs);
    }),
  );
  await ensureStatsIndexes(ctx);
}

/** The synthetic history described by the database, if any. */
export async function syntheticRun(ctx: HubContext): Promise<SyntheticRun | null> {
  const doc = await ctx.db.conn
    .collection(SYNTHETIC_RUNS)
    .findOne({ _id: 'synthetic' as never }, { projection: { _id: 0 } });

  return (doc as SyntheticRun | null) ?? null;
}

export async function seedSynthetic(
  ctx: HubContext,
  opts: SyntheticOptions,
): Promise<SyntheticReport> {
  const n = opts.deliveries;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SYNTHETIC)
    throw new SyntheticRefused(
      `Số lần chuyển văn bản phải là số nguyên từ 1 đến ${MAX_SYNTHETIC.toLocaleString('vi-VN')}.`,
    );
  const seed = opts.seed ?? 1;
  const now = opts.now ?? new Date();
  const progress = opts.onProgress ?? (() => undefined);
  const t0 = Date.now();
  const real = await realData(ctx);
  const realTotal = Object.values(real).reduce((a, b) => a + b, 0);
  if (realTotal > 0 && !opts.force)
    throw new SyntheticRefused(
      `Cơ sở dữ liệu đã có dữ liệu thật (${Object.entries(real)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}); dữ liệu tổng hợp chỉ tạo trên cơ sở dữ liệu trống, hoặc thêm --force.`,
    );
  progress({ phase: 'clear' });
  const bulk = CORE.every((k) => real[k] === 0);
  await ctx.db.conn.collection(SYNTHETIC_RUNS).deleteMany({});
  await clearSynthetic(ctx, bulk);
  const t1 = Date.now();
  const c = collections(ctx);
  const history = await generateHistory(
    { deliveries: n, seed, now },
    {
      orgs: (docs) =>
        (Orgs(ctx.db.conn).collection as unknown as Collection<Document>).insertMany(docs, {
          ordered: false,
        }),
      documents: (docs) => c.documents.insertMany(docs, { ordered: false }),
      dispatches: (docs) => c.dispatches.insertMany(docs, { ordered: false }),
      deliveries: (docs) => c.deliveries.insertMany(docs, { ordered: false }),
      numbers: (ops) => DocumentCounters(ctx.db.conn).collection.bulkWrite(ops as never),
    },
    (done) => progress({ phase: 'load', done, total: n }),
  );
  const t2 = Date.now();
  progress({ phase: 'indexes' });
  if (bulk) await buildIndexes(ctx);
  const t3 = Date.now();
  progress({ phase: 'counters' });
  const counters = await rebuildCounters(ctx);
  const t4 = Date.now();
  const run: SyntheticRun = {
    version: SYNTHETIC_VERSION,
    seed,
    deliveries: n,
    now: now.toISOString(),
    from: history.from,
    to: history.to,
    generatedAt: new Date().toISOString(),
  };
  await ctx.db.conn
    .collection(SYNTHETIC_RUNS)
    .replaceOne({ _id: 'synthetic' as never }, run, { upsert: true });

  return {
    ...run,
    organizations: SYNTHETIC_ORGS,
    documents: history.documents,
    dispatches: history.dispatches,
    tally: history.tally,
    counters,
    ms: { clear: t1 - t0, load: t2 - t1, indexes: t3 - t2, counters: t4 - t3, total: t4 - t0 },
  };
}

/**
 * Statistics at scale: generates DELIVERIES deliveries (default 200,000; DELIVERIES=1000000 for
 * the 1 M run) over two years and ~500 organizations in a throwaway database on the local engine
 * (or TEST_MONGODB_URI) with the native driver (unordered batches of 10,000, indexes built after
 * the load), builds the counters with rebuildCounters, then times the summary and the monthly
 * series of the largest province over one year from the counters, cold and warm.
 * AGGREGATE=1 also times the exact on-the-fly aggregation and compares the exact figures.
 * Run: `node --import tsx scripts/bench-stats.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Types } from 'mongoose';
import { loadConfig } from '../server/src/config/config.js';
import type { HubContext } from '../server/src/context.js';
import { openDatabase } from '../server/src/db/database.js';
import { ensureIndexes } from '../server/src/db/indexes.js';
import { createLogger } from '../server/src/logger.js';
import type { Principal } from '../server/src/modules/auth/principal.js';
import { Documents } from '../server/src/modules/documents/document.model.js';
import { Deliveries, Dispatches } from '../server/src/modules/exchange/delivery.model.js';
import { Orgs } from '../server/src/modules/orgs/org.model.js';
import { collectionNames } from '../server/src/modules/stats/aggregate.js';
import { statsSeries, statsSummary } from '../server/src/modules/stats/compute-stats.js';
import { rebuildCounters } from '../server/src/modules/stats/rebuild-counters.js';
import type { FactSet } from '../server/src/modules/stats/facts.js';
import { factStages } from '../server/src/modules/stats/facts.js';
import { ensureStatsIndexes } from '../server/src/modules/stats/stats-indexes.js';
import { resolveScope } from '../server/src/modules/stats/scope.js';
import { resolveRange } from '../server/src/modules/stats/calendar.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BATCH = 10_000;
const URGENCIES = ['thuong', 'khan', 'thuong_khan', 'hoa_toc'];
const TYPES = ['Công văn', 'Quyết định', 'Tờ trình', 'Báo cáo', 'Kế hoạch'];

type Rand = () => number;

function rng(seed: number): Rand {
  let s = seed >>> 0;

  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two provinces (400 + 100 organizations: districts of communes), as `ancestors` arrays. */
function makeOrgs(): { docs: Record<string, unknown>[]; bigProvince: Types.ObjectId } {
  const docs: Record<string, unknown>[] = [];
  const add = (name: string, level: string, ancestors: Types.ObjectId[]) => {
    const _id = new Types.ObjectId();
    docs.push({
      _id,
      code: `B.${docs.length}`,
      name,
      nameFolded: name,
      kind: 'agency',
      level,
      parentId: ancestors.at(-1) ?? null,
      ancestors,
      contact: {},
      active: true,
      external: false,
    });

    return _id;
  };
  const provinces: Types.ObjectId[] = [];
  for (const [p, districts] of [
    ['Tỉnh A', 36],
    ['Tỉnh B', 9],
  ] as const) {
    const pid = add(`UBND ${p}`, 'province', []);
    provinces.push(pid);
    for (let d = 0; d < districts; d++) {
      const did = add(`UBND huyện ${d} ${p}`, 'district', [pid]);
      for (let c = 0; c < 10; c++) add(`UBND xã ${c} huyện ${d} ${p}`, 'commune', [pid, did]);
    }
  }

  return { docs, bigProvince: provinces[0]! };
}

function history(r: Rand, at: number): { code: string; at: Date }[] {
  const h = [{ code: '01', at: new Date(at) }];
  let t = at;
  const step = (code: string, maxHours: number) => {
    t += Math.floor(r() * maxHours * HOUR);
    h.push({ code, at: new Date(t) });
  };
  if (r() < 0.05) step('02', 30);
  else if (r() < 0.9) {
    step('03', 30);
    if (r() < 0.9) step('05', 48);
    if (h.at(-1)!.code === '05' && r() < 0.85) step('06', 24 * 20);
  }

  return h;
}

/** Inserts documents, dispatches and deliveries in batches; ~3 recipients per dispatch. */
async function generate(ctx: HubContext, orgIds: Types.ObjectId[], total: number): Promise<void> {
  const r = rng(42);
  const t0 = Date.parse('2025-01-01T00:00:00+07:00');
  const span = 2 * 365 * DAY;
  const conn = ctx.db.conn;
  let docs: unknown[] = [];
  let dispatches: unknown[] = [];
  let deliveries: unknown[] = [];
  const flush = async (force: boolean) => {
    if (!force && deliveries.length < BATCH) return;
    await Promise.all([
      docs.length
        ? Documents(conn).collection.insertMany(docs as never[], { ordered: false })
        : null,
      dispatches.length
        ? Dispatches(conn).collection.insertMany(dispatches as never[], { ordered: false })
        : null,
      deliveries.length
        ? Deliveries(conn).collection.insertMany(deliveries as never[], { ordered: false })
        : null,
    ]);
    docs = [];
    dispatches = [];
    deliveries = [];
  };
  for (let made = 0, n = 0; made < total; n++) {
    const orgId = orgIds[Math.floor(r() * orgIds.length)]!;
    const versionId = new Types.ObjectId();
    const kind = r() < 0.9 ? 'seal' : 'personal';
    const docId = new Types.ObjectId();
    docs.push({
      _id: docId,
      orgId,
      meta: {
        type: TYPES[Math.floor(r() * TYPES.length)],
        urgency: URGENCIES[Math.floor(r() * 4)],
        register: 'chung',
        number: n + 1,
      },
      year: 2026,
      versions: [
        { _id: new Types.ObjectId(), reason: 'upload' },
        {
          _id: versionId,
          reason: 'signature',
          signature: { kind, signer: 'x', level: 'B-T', signedAt: 'x' },
        },
      ],
      status: 'dispatched',
    });
    const at = t0 + Math.floor(r() * span);
    const dispatchId = new Types.ObjectId();
    const k = Math.min(total - made, 1 + Math.floor(r() * 5));
    const due =
      r() < 0.8
        ? new Date(
            Math.floor((at + 7 * HOUR) / DAY) * DAY +
              (1 + Math.floor(r() * 15)) * DAY -
              1 -
              7 * HOUR,
          )
        : null;
    dispatches.push({
      _id: dispatchId,
      orgId,
      documentId: docId,
      versionId,
      recipients: [],
      dueDate: due,
      createdAt: new Date(at),
    });
    const picked = new Set<Types.ObjectId>();
    while (picked.size < k) picked.add(orgIds[Math.floor(r() * orgIds.length)]!);
    for (const recipientOrgId of picked) {
      const recalled = r() < 0.01;
      const h = history(r, at);
      deliveries.push({
        dispatchId,
        documentId: docId,
        senderOrgId: orgId,
        recipientOrgId,
        status: h.at(-1)!.code,
        urgency: URGENCIES[Math.floor(r() * 4)],
        dueDate: due,
        change: recalled ? { kind: 'recall', state: 'agreed' } : null,
        withdrawn: recalled,
        history: h,
        createdAt: new Date(at),
      });
    }
    made += k;
    await flush(false);
  }
  await flush(true);
}

async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();

  return { ms: performance.now() - t, value };
}

export async function benchStats(): Promise<void> {
  const total = Number(process.env.DELIVERIES ?? 200_000);
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-stats-'));
  const log = createLogger('warn');
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn' });
  const db = await openDatabase({
    uri: process.env.TEST_MONGODB_URI,
    dataDir: dir,
    dbName: `bench_stats_${Date.now()}`,
    log,
  });
  const ctx = {
    config,
    log,
    db,
    secrets: { jwt: Buffer.alloc(32), master: Buffer.alloc(32) },
  } as unknown as HubContext;
  try {
    const orgs = makeOrgs();
    await Orgs(db.conn).collection.insertMany(orgs.docs);
    const gen = await timeIt(() =>
      generate(
        ctx,
        orgs.docs.map((o) => o._id as Types.ObjectId),
        total,
      ),
    );
    console.log(
      `generated ${total} deliveries over ${orgs.docs.length} organizations in ${(gen.ms / 1000).toFixed(1)} s`,
    );
    // building the indexes once after the load is much cheaper than maintaining 7 per insert
    const idx = await timeIt(async () => {
      await ensureIndexes(db.conn, [Orgs, Documents, Dispatches, Deliveries]);
      await ensureStatsIndexes(ctx);
    });
    console.log(`indexes built in ${(idx.ms / 1000).toFixed(1)} s`);
    const rebuilt = await timeIt(() => rebuildCounters(ctx));
    console.log(
      `rebuildCounters: ${rebuilt.value.deliveries} deliveries, ${rebuilt.value.outgoingDocuments} outgoing documents -> ${rebuilt.value.counterDocuments} counter documents in ${(rebuilt.ms / 1000).toFixed(1)} s`,
    );
    const auditor: Principal = {
      kind: 'user',
      id: 'bench',
      orgId: String(orgs.bigProvince),
      roles: ['auditor'],
      name: 'bench',
    };
    const q = {
      orgId: String(orgs.bigProvince),
      from: '2026-01-01',
      to: '2026-12-31',
      period: 'month' as const,
    };
    const scope = await resolveScope(ctx, auditor, q.orgId);
    const range = resolveRange(q, new Date());
    const input = {
      orgIds: scope.orgIds,
      start: range.start,
      end: range.end,
      asOf: new Date(),
      collections: collectionNames(ctx),
    };
    const warm = Number(process.env.RUNS ?? 5);
    const timed = async (name: string, fn: () => Promise<unknown>) => {
      const cold = await timeIt(fn);
      const runs: number[] = [];
      for (let i = 0; i < warm; i++) runs.push((await timeIt(fn)).ms);
      runs.sort((a, b) => a - b);
      console.log(
        `${name}: cold ${cold.ms.toFixed(1)} ms, warm x${warm} median ${runs[Math.floor(warm / 2)]!.toFixed(1)} ms, max ${runs.at(-1)!.toFixed(1)} ms`,
      );
    };
    const label = `province of ${scope.orgIds.length} organizations, 2026`;
    await timed(`summary from counters, ${label}`, () => statsSummary(ctx, auditor, q));
    await timed(`series per month from counters, ${label}`, () => statsSeries(ctx, auditor, q));
    await timed(`series per day from counters, ${label}`, () =>
      statsSeries(ctx, auditor, { ...q, period: 'day' }),
    );
    const commune = {
      ...q,
      orgId: String(orgs.docs.at(-1)!._id),
      from: '2026-03-01',
      to: '2026-03-31',
    };
    await timed('summary, one commune over a month (exact overlay)', () =>
      statsSummary(ctx, auditor, commune),
    );
    const summary = await statsSummary(ctx, auditor, q);
    if (process.env.AGGREGATE === '1') {
      for (const set of ['outgoing', 'sent', 'received', 'due'] as FactSet[]) {
        const coll =
          set === 'outgoing' ? Dispatches(db.conn).collection : Deliveries(db.conn).collection;
        const rows = await timeIt(() =>
          coll
            .aggregate([...factStages(set, input), { $count: 'n' }], { allowDiskUse: true })
            .toArray(),
        );
        console.log(
          `  fact set ${set}: ${String(rows.value[0]?.n ?? 0)} rows scanned in ${rows.ms.toFixed(0)} ms`,
        );
      }
      const exact = await timeIt(() =>
        statsSummary(ctx, auditor, q, new Date(), { source: 'aggregation' }),
      );
      console.log(
        `summary by aggregation (exact reference), same scope: ${exact.ms.toFixed(0)} ms`,
      );
      let differ = 0;
      for (const [k, f] of Object.entries(exact.value.figures)) {
        const c = summary.figures[k];
        if (!c?.approximate && (c?.value !== f.value || c.denominator !== f.denominator)) {
          differ++;
          console.log(
            `  DIFFERS ${k}: counters ${String(c?.value)} vs aggregation ${String(f.value)}`,
          );
        }
      }
      console.log(`exact figures differing between counters and aggregation: ${differ}`);
    }
    for (const f of Object.values(summary.figures))
      if (!f.key.includes('ByUrgency'))
        console.log(
          `  ${f.key.padEnd(32)} ${String(f.value)}${f.denominator !== undefined ? `  (${String(f.numerator ?? '')}/${f.denominator})` : ''}${f.approximate ? `  approximate${f.resolution ? ` (${String(f.resolution.lower)}, ${String(f.resolution.upper)}]` : ''}` : ''}`,
        );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchStats().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

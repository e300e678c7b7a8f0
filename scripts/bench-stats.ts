/**
 * Statistics at scale: generates DELIVERIES deliveries (default 1,000,000) over two years and
 * ~500 organizations in a throwaway database on the local engine (or TEST_MONGODB_URI), then
 * times the summary of the largest province over one year, cold and warm, and prints figures.
 * Run: `node --import tsx scripts/bench-stats.ts` (DELIVERIES=200000 for a quicker run).
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
  const total = Number(process.env.DELIVERIES ?? 1_000_000);
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
    await ensureIndexes(db.conn, [Orgs, Documents, Dispatches, Deliveries]);
    await ensureStatsIndexes(ctx);
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
    const runs: number[] = [];
    const cold = await timeIt(() => statsSummary(ctx, auditor, q));
    console.log(`summary cold: ${cold.ms.toFixed(0)} ms`);
    let summary = cold.value;
    const warm = Number(process.env.RUNS ?? 3);
    for (let i = 0; i < warm; i++) {
      const t = await timeIt(() => statsSummary(ctx, auditor, q));
      runs.push(t.ms);
      summary = t.value;
    }
    runs.sort((a, b) => a - b);
    console.log(
      `summary, province of ${scope.orgIds.length} organizations, 2026, warm x${warm}: median ${runs[Math.floor(warm / 2)]!.toFixed(0)} ms, max ${runs.at(-1)!.toFixed(0)} ms`,
    );
    if (process.env.SERIES !== '0') {
      const series = await timeIt(() => statsSeries(ctx, auditor, q));
      console.log(`series per month, same scope: ${series.ms.toFixed(0)} ms`);
    }
    for (const f of Object.values(summary.figures))
      if (!f.key.includes('ByUrgency'))
        console.log(
          `  ${f.key.padEnd(32)} ${String(f.value)}${f.denominator !== undefined ? `  (${String(f.numerator ?? '')}/${f.denominator})` : ''}`,
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

/**
 * Statistics at scale: every dashboard query the client makes, timed (p50 / p99) on a synthetic
 * history of DELIVERIES deliveries (default 100,000; `DELIVERIES=1000000` for the 1 M run) made by
 * the same generator as `lienthong seed --synthetic` (server/src/seed/synthetic.ts), seed SEED.
 *
 * The database is kept between runs, in the local engine under BENCH_STATS_DIR (default
 * <tmp>/lienthong-bench-stats) or on TEST_MONGODB_URI, named after the size and seed: a second
 * run with the same DELIVERIES and SEED measures without generating again (REGENERATE=1 forces
 * it; REBUILD=1 recomputes the counters of a kept history). RUNS (default 50; 100 for the recorded
 * figures) repetitions per query after one cold call; QUERIES=<regex> measures only the queries whose scope and name match
 * (`none`: none). VERIFY=1 recomputes every summary and series measured with the exact
 * aggregation and checks each figure: exact ones equal, approximate percentiles inside their
 * bucket, approximate distinct counts on the right side of their bound (~80 s at 100,000).
 *
 * Run: `npm run bench -- stats` or `DELIVERIES=1000000 npm run bench -- stats`.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../server/src/config/config.js';
import type { HubContext } from '../server/src/context.js';
import type { TFigure, TStatsMetric, TStatsPeriod } from '../server/src/contracts/stats.js';
import { closeContext, createContext } from '../server/src/hub.js';
import type { Principal } from '../server/src/http/principal.js';
import { Orgs } from '../server/src/modules/orgs/org.model.js';
import { statsSeries, statsSummary } from '../server/src/modules/stats/compute-stats.js';
import { listStatsItems } from '../server/src/modules/stats/list-items.js';
import { rebuildCounters } from '../server/src/modules/stats/rebuild-counters.js';
import { seriesCsv, summaryCsv } from '../server/src/modules/stats/stats-csv.js';
import { printSyntheticReport } from '../server/src/seed/synthetic-print.js';
import {
  SYNTHETIC_VERSION,
  seedSynthetic,
  syntheticRun,
  type SyntheticRun,
} from '../server/src/seed/synthetic.js';

const TARGET_MS = 300;
const DAY = 86_400_000;

type Scope = { name: string; orgId: string };
type Query = { name: string; scope: string; run: () => Promise<unknown> };
type Timing = Query & { cold: number; n: number; p50: number; p99: number; max: number };

const AUDITOR: Principal = {
  kind: 'user',
  id: 'bench',
  orgId: '000000000000000000000000',
  roles: ['auditor'],
  name: 'bench',
};

function env(name: string, fallback: number): number {
  const v = process.env[name];

  return v === undefined || v === '' ? fallback : Number(v.replace(/_/g, ''));
}

/** A context on the cached bench database (or a fresh one, generated). */
async function openBench(n: number, seed: number): Promise<{ ctx: HubContext; run: SyntheticRun }> {
  const dir = process.env.BENCH_STATS_DIR ?? join(tmpdir(), 'lienthong-bench-stats');
  mkdirSync(dir, { recursive: true });
  const config = loadConfig({
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    ...(process.env.TEST_MONGODB_URI ? { MONGODB_URI: process.env.TEST_MONGODB_URI } : {}),
  });
  const ctx = await createContext(config, { dbName: `bench_stats_${n}_s${seed}` });
  const cached = await syntheticRun(ctx);
  if (
    cached &&
    process.env.REGENERATE !== '1' &&
    cached.version === SYNTHETIC_VERSION &&
    cached.deliveries === n &&
    cached.seed === seed
  ) {
    console.log(
      `reusing the synthetic history of ${cached.generatedAt} (${n} deliveries, seed ${seed}, ${cached.from} – ${cached.to}) in ${dir}`,
    );
    if (process.env.REBUILD === '1') {
      const t0 = performance.now();
      const r = await rebuildCounters(ctx);
      console.log(
        `rebuildCounters: ${r.counterDocuments} counter documents in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }

    return { ctx, run: cached };
  }
  console.log(`generating ${n} deliveries (seed ${seed}) in ${dir} …`);
  const report = await seedSynthetic(ctx, {
    deliveries: n,
    seed,
    force: true,
    onProgress: (p) => {
      if (p.phase !== 'load' || (p.done ?? 0) % 100_000 < 1_000 || p.done === p.total)
        console.log(`  ${p.phase}${p.done !== undefined ? ` ${p.done} / ${p.total}` : ''}`);
    },
  });
  printSyntheticReport(process.stdout, report);

  return { ctx, run: report };
}

/** The province, its largest district, a commune of average size, found by the tree. */
async function scopesOf(ctx: HubContext): Promise<Scope[]> {
  const orgs = await Orgs(ctx.db.conn)
    .find({ synthetic: true } as never, { name: 1, level: 1, parentId: 1 })
    .lean();
  const province = orgs.find((o) => o.level === 'province')!;
  const children = new Map<string, number>();
  for (const o of orgs) {
    const p = String(o.parentId);
    children.set(p, (children.get(p) ?? 0) + 1);
  }
  const districts = orgs.filter((o) => o.level === 'district');
  const district = districts.reduce((a, b) =>
    (children.get(String(b._id)) ?? 0) > (children.get(String(a._id)) ?? 0) ? b : a,
  );
  const communes = orgs.filter((o) => String(o.parentId) === String(district._id));
  const commune = communes[Math.floor(communes.length / 2)]!;

  return [province, district, commune].map((o) => ({
    name: `${o.level} (${o.name})`,
    orgId: String(o._id),
  }));
}

const iso = (t: number) => new Date(t + 7 * 3_600_000).toISOString().slice(0, 10);

/** The current period to date, and the last whole one, in the data's calendar. */
function ranges(
  to: string,
  period: TStatsPeriod,
): { toDate: [string, string]; whole: [string, string] } {
  const y = Number(to.slice(0, 4));
  const m = Number(to.slice(5, 7));
  const startOf = (yy: number, mm: number) => `${yy}-${String(mm).padStart(2, '0')}-01`;
  const dayBefore = (d: string) => iso(Date.parse(`${d}T00:00:00+07:00`) - DAY);
  switch (period) {
    case 'year':
      return { toDate: [`${y}-01-01`, to], whole: [`${y - 1}-01-01`, `${y - 1}-12-31`] };
    case 'quarter': {
      const q0 = m - ((m - 1) % 3);
      const start = startOf(y, q0);
      const prev = q0 === 1 ? startOf(y - 1, 10) : startOf(y, q0 - 3);

      return { toDate: [start, to], whole: [prev, dayBefore(start)] };
    }
    default: {
      const start = startOf(y, m);
      const prev = m === 1 ? startOf(y - 1, 12) : startOf(y, m - 1);

      return { toDate: [start, to], whole: [prev, dayBefore(start)] };
    }
  }
}

/** What the dashboard asks (client/src/pages/Dashboard.tsx), per scope and period. */
function queries(ctx: HubContext, scopes: Scope[], run: SyntheticRun, now: Date): Query[] {
  const out: Query[] = [];
  const summary = (orgId: string, from: string, to: string) =>
    statsSummary(ctx, AUDITOR, { orgId, from, to, period: 'month' }, now);
  const series = (orgId: string, from: string, to: string, period: TStatsPeriod) =>
    statsSeries(ctx, AUDITOR, { orgId, from, to, period }, now);
  for (const s of scopes) {
    for (const period of ['month', 'quarter', 'year'] as const) {
      const r = ranges(run.to, period);
      out.push({
        name: `summary, this ${period} to date`,
        scope: s.name,
        run: () => summary(s.orgId, ...r.toDate),
      });
      out.push({
        name: `summary, last whole ${period}`,
        scope: s.name,
        run: () => summary(s.orgId, ...r.whole),
      });
      out.push({
        name: `series per ${period}, two years`,
        scope: s.name,
        run: () => series(s.orgId, run.from, run.to, period),
      });
    }
    const year = ranges(run.to, 'year').toDate;
    out.push({
      name: 'CSV: series per month, year to date',
      scope: s.name,
      run: async () => seriesCsv(await series(s.orgId, ...year, 'month')),
    });
    out.push({
      name: 'CSV: summary, year to date',
      scope: s.name,
      run: async () => summaryCsv(await summary(s.orgId, ...year)),
    });
    for (const metric of [
      'sealSigned',
      'onTime',
      'deliveriesSent',
      'deliveriesReceived',
    ] as TStatsMetric[])
      out.push({
        name: `drill-down ${metric}, first page, year to date`,
        scope: s.name,
        run: () =>
          listStatsItems(
            ctx,
            AUDITOR,
            {
              metric,
              orgId: s.orgId,
              from: year[0],
              to: year[1],
              period: 'month',
              limit: 200,
              ...(metric === 'onTime' ? { asOf: now.toISOString() } : {}),
            },
            now,
          ),
      });
  }

  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p * sorted.length) / 100) - 1)]!;
}

/** RUNS timed calls after a cold one; a slow query stops after ~20 s (at least 5 calls). */
async function time(q: Query, runs: number): Promise<Timing> {
  const t0 = performance.now();
  await q.run();
  const cold = performance.now() - t0;
  const ms: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs && (i < 5 || performance.now() - start < 20_000); i++) {
    const t = performance.now();
    await q.run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);

  return {
    ...q,
    cold,
    n: ms.length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: ms.at(-1)!,
  };
}

/** Compares a counters figure with the exact one; returns a description of a mismatch. */
function mismatch(key: string, c: TFigure | undefined, e: TFigure): string | null {
  if (!c) return `${key}: missing`;
  if (!c.approximate)
    return c.value === e.value && c.numerator === e.numerator && c.denominator === e.denominator
      ? null
      : `${key}: counters ${String(c.value)} (${String(c.numerator)}/${String(c.denominator)}) vs exact ${String(e.value)} (${String(e.numerator)}/${String(e.denominator)})`;
  if (c.resolution) {
    const v = e.value;
    const ok =
      c.denominator === e.denominator &&
      (v === null
        ? c.value === null
        : (c.resolution.lower === null || v > c.resolution.lower) &&
          (c.resolution.upper === null || v <= c.resolution.upper));

    return ok
      ? null
      : `${key}: ${String(v)} outside (${String(c.resolution.lower)}, ${String(c.resolution.upper)}]`;
  }

  // distinct documents summed over pieces: an upper bound, so deliveries per document a lower one
  const lower = key === 'recipientsPerDocument';
  const ok = lower ? (c.value ?? 0) <= (e.value ?? 0) : (c.value ?? 0) >= (e.value ?? 0);

  return ok ? null : `${key}: bound ${String(c.value)} vs exact ${String(e.value)}`;
}

/** Every summary and series measured, recomputed by the aggregation and compared figure by figure. */
async function verify(
  ctx: HubContext,
  scopes: Scope[],
  run: SyntheticRun,
  now: Date,
): Promise<void> {
  let figures = 0;
  const bad: string[] = [];
  const t0 = performance.now();
  const compare = (where: string, c: Record<string, TFigure>, e: Record<string, TFigure>) => {
    for (const [k, f] of Object.entries(e)) {
      figures++;
      const m = mismatch(k, c[k], f);
      if (m) bad.push(`${where} ${m}`);
    }
  };
  for (const s of scopes)
    for (const period of ['month', 'quarter', 'year'] as const) {
      const r = ranges(run.to, period);
      for (const [from, to] of [r.toDate, r.whole]) {
        const q = { orgId: s.orgId, from, to, period };
        const [c, e] = await Promise.all([
          statsSummary(ctx, AUDITOR, q, now),
          statsSummary(ctx, AUDITOR, q, now, { source: 'aggregation' }),
        ]);
        compare(`${s.name} ${from}..${to}`, c.figures, e.figures);
      }
      const q = { orgId: s.orgId, from: run.from, to: run.to, period };
      const [c, e] = await Promise.all([
        statsSeries(ctx, AUDITOR, q, now),
        statsSeries(ctx, AUDITOR, q, now, { source: 'aggregation' }),
      ]);
      c.buckets.forEach((b, i) =>
        compare(`${s.name} ${period} ${b.period}`, b.figures, e.buckets[i]!.figures),
      );
    }
  console.log(
    `\nverified ${figures} figures against the exact aggregation in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${bad.length} differ`,
  );
  for (const b of bad.slice(0, 20)) console.log(`  DIFFERS ${b}`);
}

export async function benchStats(): Promise<void> {
  const n = env('DELIVERIES', 100_000);
  const seed = env('SEED', 1);
  const runs = env('RUNS', 50);
  const t0 = performance.now();
  const { ctx, run } = await openBench(n, seed);
  try {
    console.log(`data ready in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    // asked at the end of the history, as on a live hub: "today" is the history's last day
    const now = new Date(Math.min(Date.parse(run.now), Date.now()));
    const scopes = await scopesOf(ctx);
    const results: Timing[] = [];
    const w = 52;
    console.log(
      `\n${n.toLocaleString('en')} deliveries; per query: p50, p99, max over the runs (n), and the cold call (ms):`,
    );
    let scope = '';
    const only = process.env.QUERIES ? new RegExp(process.env.QUERIES, 'i') : null;
    for (const q of queries(ctx, scopes, run, now)) {
      if (only && !only.test(`${q.scope} ${q.name}`)) continue;
      const r = await time(q, runs);
      results.push(r);
      if (r.scope !== scope) console.log(`\n  ${(scope = r.scope)}`);
      console.log(
        `    ${r.name.padEnd(w)} p50 ${r.p50.toFixed(1).padStart(7)}  p99 ${r.p99.toFixed(1).padStart(7)}  max ${r.max.toFixed(1).padStart(7)}  n ${String(r.n).padStart(3)}  cold ${r.cold.toFixed(1).padStart(7)}${r.p99 >= TARGET_MS ? '  ← over target' : ''}`,
      );
    }
    const worst = results.reduce<Timing | null>((a, b) => (!a || b.p99 > a.p99 ? b : a), null);
    if (worst)
      console.log(
        `\nevery query p99 < ${TARGET_MS} ms: ${worst.p99 < TARGET_MS ? 'yes' : 'NO'} (worst: ${worst.name}, ${worst.scope}, p99 ${worst.p99.toFixed(1)} ms)`,
      );
    if (process.env.VERIFY === '1') await verify(ctx, scopes, run, now);
  } finally {
    await closeContext(ctx);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchStats().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

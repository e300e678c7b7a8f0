import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'mongodb';
import type { TStatsMetric, TStatsQuery } from '../../../server/src/contracts/stats.js';
import type { Hub } from '../../../server/src/hub.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { Documents } from '../../../server/src/modules/documents/document.model.js';
import { Deliveries, Dispatches } from '../../../server/src/modules/exchange/delivery.model.js';
import { Orgs } from '../../../server/src/modules/orgs/org.model.js';
import { statsSeries, statsSummary } from '../../../server/src/modules/stats/compute-stats.js';
import { listStatsItems } from '../../../server/src/modules/stats/list-items.js';
import { carriedSignatures } from '../../../server/src/modules/stats/outgoing-counters.js';
import {
  SyntheticRefused,
  seedSynthetic,
  syntheticRun,
  type SyntheticReport,
} from '../../../server/src/seed/synthetic.js';
import { dayOf, workCalendar } from '../../../server/src/seed/synthetic-calendar.js';
import { lifecycle } from '../../../server/src/seed/synthetic-history.js';
import { createRng } from '../../../server/src/seed/synthetic-random.js';
import { startTestHub, testDbName, testMongoUri } from '../../support/hub.js';
import { runCli } from '../../support/process.js';

const N = 3_000;
const NOW = new Date('2026-06-15T10:30:00+07:00');
const FIRST_DAY = new Date('2024-06-16T00:00:00+07:00');
const AUDITOR: Principal = {
  kind: 'user',
  id: 'test',
  orgId: '000000000000000000000000',
  roles: ['auditor'],
  name: 'test',
};

type Row = Record<string, unknown> & { _id: unknown };

async function all(hub: Hub, name: 'orgs' | 'documents' | 'dispatches' | 'deliveries') {
  const c = hub.ctx.db.conn;
  const coll = {
    orgs: Orgs(c).collection,
    documents: Documents(c).collection,
    dispatches: Dispatches(c).collection,
    deliveries: Deliveries(c).collection,
  }[name];

  return (await coll
    .find({ synthetic: true } as never)
    .sort({ _id: 1 })
    .toArray()) as Row[];
}

/** A digest of every synthetic record, to compare two runs. */
async function digest(hub: Hub): Promise<string> {
  const h = createHash('sha256');
  for (const name of ['orgs', 'documents', 'dispatches', 'deliveries'] as const)
    for (const d of await all(hub, name)) {
      const { createdAt, updatedAt, ...rest } = d as Document;
      // organizations' timestamps are the generation clock's; everything else is in the data
      h.update(JSON.stringify(name === 'orgs' ? rest : { ...rest, createdAt, updatedAt }));
    }

  return h.digest('hex');
}

describe('lienthong seed --synthetic: the generator', function () {
  this.timeout(300_000);
  let hub: Hub;
  let report: SyntheticReport;
  let orgs: Row[];
  let deliveries: Row[];

  before(async () => {
    hub = await startTestHub();
    report = await seedSynthetic(hub.ctx, { deliveries: N, seed: 11, now: NOW });
    orgs = await all(hub, 'orgs');
    deliveries = await all(hub, 'deliveries');
  });
  after(() => hub.close());

  it('builds a 500-organization province tree with Vietnamese names and flagged codes', () => {
    expect(orgs).to.have.length(500);
    const levels: Record<string, number> = {};
    for (const o of orgs) levels[o.level as string] = (levels[o.level as string] ?? 0) + 1;
    expect(levels).to.deep.equal({
      province: 1,
      department: 20,
      district: 27,
      commune: 412,
      unit: 40,
    });
    const byId = new Map(orgs.map((o) => [String(o._id), o]));
    const province = orgs.find((o) => o.level === 'province')!;
    for (const o of orgs) {
      const name = o.name as string;
      expect(name.normalize('NFC'), name).to.equal(name);
      expect(o.code as string).to.match(/^SYN-/);
      const ancestors = (o.ancestors as unknown[]).map(String);
      if (o.level === 'commune') {
        // depth 3: province → district → commune
        expect(ancestors).to.have.length(2);
        expect(ancestors[0]).to.equal(String(province._id));
        expect(byId.get(ancestors[1]!)!.level).to.equal('district');
        expect(name).to.match(/^UBND (xã|phường) /);
      }
      if (o.level === 'district') expect(ancestors).to.deep.equal([String(province._id)]);
      if (o.kind === 'enterprise') {
        expect(o.code as string).to.match(/^SYN-28\d{8}$/);
        expect(ancestors).to.deep.equal([]);
      }
    }
    expect(new Set(orgs.map((o) => o.name)).size).to.equal(500);
  });

  it('writes exactly N deliveries inside the two-year window, well formed and linked', async () => {
    expect(deliveries).to.have.length(N);
    expect(report.deliveries).to.equal(N);
    const docs = new Set((await all(hub, 'documents')).map((d) => String(d._id)));
    const dispatches = new Set((await all(hub, 'dispatches')).map((d) => String(d._id)));
    expect(docs.size).to.equal(report.documents);
    for (const d of deliveries) {
      const created = (d.createdAt as Date).getTime();
      expect(created).to.be.at.least(FIRST_DAY.getTime()).and.at.most(NOW.getTime());
      expect(docs.has(String(d.documentId))).to.equal(true);
      expect(dispatches.has(String(d.dispatchId))).to.equal(true);
      const history = d.history as { code: string; at: Date }[];
      expect(history[0]!.code).to.equal('01');
      expect(history[0]!.at.getTime()).to.be.at.least(created);
      for (let i = 1; i < history.length; i++)
        expect(history[i]!.at.getTime()).to.be.at.least(history[i - 1]!.at.getTime());
      expect(history.at(-1)!.at.getTime()).to.be.at.most(NOW.getTime());
      const processing = history.filter((h) => !['13', '15', '16'].includes(h.code));
      expect(d.status).to.equal(processing.at(-1)!.code);
      if (d.withdrawn) expect(history.map((h) => h.code)).to.include('15');
    }
    // spread over the two years, not bunched: every quarter of the window has deliveries
    const quarters = new Set(
      deliveries.map((d) =>
        Math.floor(((d.createdAt as Date).getTime() - FIRST_DAY.getTime()) / (91 * 86_400_000)),
      ),
    );
    expect(quarters.size).to.be.at.least(8);
  });

  it('has plausible rates: recipients, seals, rejections, recalls, on-time handling', async () => {
    const docs = await all(hub, 'documents');
    const agencies = new Set(orgs.filter((o) => o.kind === 'agency').map((o) => String(o._id)));
    const firstDispatch = new Map<string, Row>();
    for (const d of await all(hub, 'dispatches'))
      if (!firstDispatch.has(String(d.documentId))) firstDispatch.set(String(d.documentId), d);
    let agencyDocs = 0;
    let sealed = 0;
    for (const doc of docs) {
      if (!agencies.has(String(doc.orgId))) continue;
      agencyDocs++;
      const versions = doc.versions as Parameters<typeof carriedSignatures>[0];
      const first = firstDispatch.get(String(doc._id))!;
      if (carriedSignatures(versions, first.versionId as never).has('seal')) sealed++;
    }
    expect(sealed / agencyDocs).to.be.within(0.95, 1);
    expect(N / docs.length).to.be.within(2, 5);
    const rate = (f: (d: Row) => boolean) => deliveries.filter(f).length / N;
    expect(rate((d) => d.status === '02')).to.be.within(0.003, 0.05);
    expect(rate((d) => (d.change as { kind?: string } | null)?.kind === 'recall')).to.be.below(
      0.05,
    );
    expect(rate((d) => d.dueDate !== null)).to.be.within(0.25, 0.65);
    const pastDue = deliveries.filter(
      (d) => d.dueDate && (d.dueDate as Date) < NOW && d.status !== '02' && !d.withdrawn,
    );
    const onTime = pastDue.filter((d) => {
      const done = (d.history as { code: string; at: Date }[]).find((h) => h.code === '06');

      return done && done.at <= (d.dueDate as Date);
    });
    expect(onTime.length / pastDue.length).to.be.within(0.85, 0.98);
    expect(report.tally.pastDue.total).to.equal(pastDue.length);
    // nearly every handled delivery is accepted, most of them the day they arrived
    expect(rate((d) => (d.history as { code: string }[]).some((h) => h.code === '03'))).to.be.above(
      0.9,
    );
  });

  it('records the run and builds counters that give the aggregation’s figures', async () => {
    const run = await syntheticRun(hub.ctx);
    expect(run).to.include({ deliveries: N, seed: 11, now: NOW.toISOString(), to: '2026-06-15' });
    expect(report.counters.deliveries).to.equal(N);
    const province = orgs.find((o) => o.level === 'province')!;
    const district = orgs.find((o) => o.level === 'district')!;
    const commune = orgs.find(
      (o) => String((o.ancestors as unknown[])[1]) === String(district._id),
    )!;
    const enterprise = orgs.find((o) => o.kind === 'enterprise')!;
    const cases: TStatsQuery[] = [
      { orgId: String(province._id), from: '2025-01-01', to: '2025-12-31', period: 'year' },
      { orgId: String(province._id), from: '2026-01-01', to: '2026-06-15', period: 'month' },
      { orgId: String(district._id), from: '2026-01-01', to: '2026-03-31', period: 'quarter' },
      { orgId: String(commune._id), from: '2025-03-01', to: '2025-03-31', period: 'month' },
      { orgId: String(enterprise._id), from: '2024-06-16', to: '2026-06-15', period: 'year' },
    ];
    for (const q of cases) {
      const counters = await statsSummary(hub.ctx, AUDITOR, q, NOW);
      const exact = await statsSummary(hub.ctx, AUDITOR, q, NOW, { source: 'aggregation' });
      expect(counters.source).to.equal('counters');
      // every figure: value, numerator, denominator (small scopes get exact percentiles too)
      expect(counters.figures, JSON.stringify(q)).to.deep.equal(exact.figures);
      const series = await statsSeries(hub.ctx, AUDITOR, q, NOW);
      const exactSeries = await statsSeries(hub.ctx, AUDITOR, q, NOW, { source: 'aggregation' });
      expect(series.buckets).to.deep.equal(exactSeries.buckets);
    }
    // the large-scope path (counts from the counters alone) gives the same counts
    const q = cases[0]!;
    const approx = await statsSummary(hub.ctx, AUDITOR, q, NOW, { exactLimit: 0 });
    const exact = await statsSummary(hub.ctx, AUDITOR, q, NOW, { source: 'aggregation' });
    for (const [k, f] of Object.entries(exact.figures)) {
      const c = approx.figures[k]!;
      if (c.approximate) continue;
      expect([c.value, c.numerator, c.denominator], k).to.deep.equal([
        f.value,
        f.numerator,
        f.denominator,
      ]);
    }
  });

  it('drill-downs list, page by page in id order, exactly the rows each figure counts', async () => {
    const province = orgs.find((o) => o.level === 'province')!;
    const district = orgs.find((o) => o.level === 'district')!;
    const figureOf: Record<string, [string, 'value' | 'numerator']> = {
      outgoingDocuments: ['outgoingDocuments', 'value'],
      sealSigned: ['sealSignatureRate', 'numerator'],
      deliveriesSent: ['deliveriesSent', 'value'],
      recalled: ['recallRate', 'numerator'],
      deliveriesReceived: ['deliveriesReceived', 'value'],
      acknowledgedSameDay: ['sameDayAcknowledgementRate', 'numerator'],
      rejected: ['rejectionRate', 'numerator'],
      due: ['dueInPeriod', 'value'],
      onTime: ['onTimeRate', 'numerator'],
      openOverdue: ['openOverdue', 'value'],
      openNotDue: ['openNotDue', 'value'],
    };
    for (const [orgId, from, to] of [
      [String(province._id), '2025-01-01', '2025-12-31'],
      [String(district._id), '2026-04-01', '2026-06-30'],
    ] as const) {
      const summary = await statsSummary(
        hub.ctx,
        AUDITOR,
        { orgId, from, to, period: 'month' },
        NOW,
      );
      for (const [metric, [key, part]] of Object.entries(figureOf)) {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listStatsItems(
            hub.ctx,
            AUDITOR,
            {
              metric: metric as TStatsMetric,
              orgId,
              from,
              to,
              period: 'month',
              limit: 400,
              asOf: NOW.toISOString(),
              ...(cursor ? { cursor } : {}),
            },
            NOW,
          );
          ids.push(...page.ids);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(ids.length, `${metric} ${from}`).to.equal(summary.figures[key]![part]);
        expect([...ids].sort(), metric).to.deep.equal(ids);
        expect(new Set(ids).size, metric).to.equal(ids.length);
      }
    }
  });

  it('is deterministic for a seed, and another seed gives another history', async () => {
    const again = await startTestHub();
    try {
      await seedSynthetic(again.ctx, { deliveries: N, seed: 11, now: NOW });
      const first = await digest(hub);
      expect(await digest(again)).to.equal(first);
      await seedSynthetic(again.ctx, { deliveries: N, seed: 12, now: NOW });
      expect(await digest(again)).to.not.equal(first);
      // run again on the same database: the earlier synthetic history is replaced
      expect(
        await Orgs(again.ctx.db.conn).collection.countDocuments({ synthetic: true } as never),
      ).to.equal(500);
      expect(await Deliveries(again.ctx.db.conn).collection.countDocuments()).to.equal(N);
    } finally {
      await again.close();
    }
  });

  it('refuses a database with real data unless forced', async () => {
    const other = await startTestHub();
    try {
      await Orgs(other.ctx.db.conn).collection.insertOne({
        code: 'REAL-1',
        name: 'UBND xã Thật',
        nameFolded: 'ubnd xa that',
        kind: 'agency',
        level: 'commune',
        parentId: null,
        ancestors: [],
      } as never);
      let refused: unknown;
      await seedSynthetic(other.ctx, { deliveries: 100, now: NOW }).catch(
        (e: unknown) => (refused = e),
      );
      expect(refused).to.be.instanceOf(SyntheticRefused);
      expect(String((refused as Error).message)).to.contain('dữ liệu thật');
      expect(await Deliveries(other.ctx.db.conn).collection.countDocuments()).to.equal(0);
      await seedSynthetic(other.ctx, { deliveries: 100, now: NOW, force: true });
      expect(await Deliveries(other.ctx.db.conn).collection.countDocuments()).to.equal(100);
      expect(await Orgs(other.ctx.db.conn).collection.countDocuments({ code: 'REAL-1' })).to.equal(
        1,
      );
    } finally {
      await other.close();
    }
  });
});

describe('lienthong seed --synthetic: a delivery’s life', () => {
  it('starts with its arrival, never after the clock, even when sent a moment before it', () => {
    const now = NOW.getTime();
    const cal = workCalendar(dayOf(now) - 30, 31);
    const rng = createRng(1);
    for (let i = 0; i < 2_000; i++) {
      const sent = now - rng.int(60_000);
      const steps = lifecycle(rng, cal, sent, rng.chance(0.5) ? now + 86_400_000 : null, now);
      expect(steps[0]!.code).to.equal('01');
      expect(steps.every((s) => s.at >= sent && s.at <= now)).to.equal(true);
    }
  });
});

describe('lienthong seed --synthetic (a real process)', function () {
  this.timeout(300_000);
  let dataDir: string;
  before(() => (dataDir = mkdtempSync(join(tmpdir(), 'lienthong-synthetic-'))));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates a history, prints progress and a summary, and refuses real data', async () => {
    // the run's engine, in a database of this test's own
    const uri = testMongoUri().replace(/\/(\?|$)/, `/${testDbName('syn')}$1`);
    const env = { DATA_DIR: dataDir, MONGODB_URI: uri };
    const cli = runCli(
      ['seed', '--synthetic', '2_000', '--seed', '5', '--until', '2026-03-31'],
      env,
    );
    expect(await cli.exited, cli.output()).to.equal(0);
    const out = cli.output();
    expect(out).to.contain('Ghi văn bản, lần gửi và lần chuyển: 2.000 / 2.000 (100.0 %)');
    expect(out).to.contain('Đã tạo lịch sử tổng hợp (hạt giống 5), từ 2024-04-01 đến 2026-03-31');
    expect(out).to.match(/500 cơ quan/);
    expect(out).to.match(/2\.000 lần chuyển/);
    expect(out).to.contain('bộ đếm thống kê');
    const bad = runCli(['seed', '--synthetic', 'nhiều'], env);
    expect(await bad.exited).to.equal(1);
    expect(bad.output()).to.contain('--synthetic phải là số nguyên');
    // a real organization (not synthetic): refused without --force, nothing changed
    const demo = runCli(['seed'], env);
    expect(await demo.exited, demo.output()).to.equal(0);
    const refused = runCli(['seed', '--synthetic', '100'], env);
    expect(await refused.exited).to.equal(1);
    expect(refused.output()).to.contain('dữ liệu thật').and.to.contain('--force');
  });
});

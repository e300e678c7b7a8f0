import { expect } from 'chai';
import type { Document } from 'mongodb';
import { Types } from 'mongoose';
import type { TStatusCode } from '../../../server/src/contracts/exchange.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TFigure, TStatsSummary } from '../../../server/src/contracts/stats.js';
import type { Hub } from '../../../server/src/hub.js';
import type { Principal } from '../../../server/src/http/principal.js';
import {
  Documents,
  type DocumentDoc,
} from '../../../server/src/modules/documents/document.model.js';
import {
  Deliveries,
  Dispatches,
  type DeliveryDoc,
  type DispatchDoc,
} from '../../../server/src/modules/exchange/delivery.model.js';
import { statsSeries, statsSummary } from '../../../server/src/modules/stats/compute-stats.js';
import { COUNTERS } from '../../../server/src/modules/stats/counter-cells.js';
import { flushCounters } from '../../../server/src/modules/stats/counter-queue.js';
import {
  counterKeys,
  readCounters,
  recordTransition,
  recordTransitions,
  type CounterValues,
} from '../../../server/src/modules/stats/counters.js';
import {
  bucketBounds,
  bucketOf,
  histogramPercentile,
} from '../../../server/src/modules/stats/latency-histogram.js';
import { recordOutgoing } from '../../../server/src/modules/stats/outgoing-counters.js';
import { rebuildCounters } from '../../../server/src/modules/stats/rebuild-counters.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { API, call } from '../../support/call.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const URGENCIES = ['thuong', 'khan', 'thuong_khan', 'hoa_toc'];
const TYPES = ['Công văn', 'Quyết định', 'Tờ trình'];

function rand(seed: number) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;

  return { next, pick: <T>(a: T[]) => a[Math.floor(next() * a.length)]! };
}

type Data = { documents: DocumentDoc[]; dispatches: DispatchDoc[]; deliveries: DeliveryDoc[] };

/** Well-formed histories as the exchange writes them: a withdrawal has its 15 entry. */
function deliveryOf(
  r: ReturnType<typeof rand>,
  dispatch: DispatchDoc,
  recipient: Types.ObjectId,
): DeliveryDoc {
  const created = dispatch.createdAt.getTime();
  const history: { code: TStatusCode; at: Date }[] = [{ code: '01', at: new Date(created) }];
  let t = created;
  const step = (code: TStatusCode, h: number) =>
    history.push({ code, at: new Date((t += Math.floor(r.next() * h * HOUR))) });
  let change: DeliveryDoc['change'] = null;
  let withdrawn = false;
  if (r.next() < 0.1) step('02', 30);
  else {
    if (r.next() < 0.9) step('03', 30);
    if (history.at(-1)!.code === '03' && r.next() < 0.8) step('05', 40);
    if (history.at(-1)!.code === '05' && r.next() < 0.8) step('06', 24 * 15);
    if (r.next() < 0.1) {
      step('13', 10);
      change = { kind: 'recall', state: 'requested' };
      if (r.next() < 0.6) {
        step('15', 10);
        change = { kind: 'recall', state: 'agreed' };
        withdrawn = true;
      }
    }
  }

  return {
    _id: new Types.ObjectId(),
    dispatchId: dispatch._id,
    documentId: dispatch.documentId,
    senderOrgId: dispatch.orgId,
    recipientOrgId: recipient,
    status: [...history].reverse().find((h) => !['13', '15'].includes(h.code))!.code,
    urgency: r.pick(URGENCIES),
    dueDate: dispatch.dueDate,
    change,
    withdrawn,
    history,
    createdAt: dispatch.createdAt,
  } as unknown as DeliveryDoc;
}

/** Documents with signature histories, some dispatched again later (same day or weeks later). */
function generate(orgs: Types.ObjectId[], nDocs: number): Data {
  const r = rand(7);
  const t0 = Date.parse('2025-12-01T00:00:00+07:00');
  const data: Data = { documents: [], dispatches: [], deliveries: [] };
  for (let i = 0; i < nDocs; i++) {
    const orgId = r.pick(orgs);
    const versions = Array.from({ length: 1 + Math.floor(r.next() * 3) }, (_, k) => {
      const reason = k === 0 ? 'upload' : r.pick(['signature', 'signature', 'replacement']);
      const kind = reason === 'signature' ? r.pick(['seal', 'personal', 'timestamp']) : null;

      return { _id: new Types.ObjectId(), reason, ...(kind ? { signature: { kind } } : {}) };
    });
    const doc = {
      _id: new Types.ObjectId(),
      orgId,
      meta: { type: r.pick(TYPES), urgency: r.pick(URGENCIES), register: 'chung', number: i + 1 },
      year: 2026,
      versions,
    } as unknown as DocumentDoc;
    data.documents.push(doc);
    let at = t0 + Math.floor(r.next() * 200 * DAY);
    for (let k = 0, n = r.next() < 0.3 ? 2 : 1; k < n; k++) {
      at += k * Math.floor(r.next() * (r.next() < 0.5 ? HOUR : 40 * DAY));
      const due =
        r.next() < 0.8
          ? new Date(Math.floor((at + 7 * HOUR) / DAY) * DAY + 10 * DAY - 1 - 7 * HOUR)
          : null;
      const dispatch = {
        _id: new Types.ObjectId(),
        orgId,
        documentId: doc._id,
        versionId: r.pick(versions)._id,
        recipients: orgs.filter((o) => !o.equals(orgId) && r.next() < 0.4),
        dueDate: due,
        createdAt: new Date(at),
      } as unknown as DispatchDoc;
      if (dispatch.recipients.length === 0) continue;
      data.dispatches.push(dispatch);
      for (const rec of dispatch.recipients) data.deliveries.push(deliveryOf(r, dispatch, rec));
    }
  }

  return data;
}

/** Counter documents without zero fields (the incremental path may leave 0 after −1 +1). */
async function snapshot(hub: Hub): Promise<Record<string, Document>> {
  const clean = (d: Document): Document | null => {
    const out: Document = {};
    for (const [k, v] of Object.entries(d)) {
      if (k === '_id') continue;
      const c = typeof v === 'object' && v !== null ? clean(v as Document) : v === 0 ? null : v;
      if (c !== null) out[k] = c;
    }

    return Object.keys(out).length ? out : null;
  };
  const out: Record<string, Document> = {};
  for (const d of await hub.ctx.db.conn.collection(COUNTERS).find().toArray()) {
    const c = clean(d);
    if (c) out[String(d._id)] = c;
  }

  return out;
}

describe('stats: incremental counters equal the aggregation and a rebuild', function () {
  this.timeout(300_000);
  let hub: Hub;
  let province: TOrg;
  let district: TOrg;
  let commune: TOrg;
  let auditor: TestUser;
  let data: Data;
  let incremental: Record<string, Document>;
  const asAuditor = (): Principal => ({
    kind: 'user',
    id: auditor.id,
    orgId: auditor.orgId,
    roles: ['auditor'],
    name: 'auditor',
  });

  before(async () => {
    hub = await startTestHub();
    province = await makeOrg(hub.ctx, { level: 'province' });
    district = await makeOrg(hub.ctx, { level: 'district', parentId: province.id });
    commune = await makeOrg(hub.ctx, { parentId: district.id });
    const commune2 = await makeOrg(hub.ctx, { parentId: district.id });
    const other = await makeOrg(hub.ctx, { parentId: province.id });
    const outside = await makeOrg(hub.ctx, { level: 'province' });
    auditor = await makeUser(hub, outside, ['auditor']);
    const ids = [province, district, commune, commune2, other, outside].map(
      (o) => new Types.ObjectId(o.id),
    );
    data = generate(ids, 220);
    const conn = hub.ctx.db.conn;
    await Documents(conn).collection.insertMany(data.documents as never[]);
    await Dispatches(conn).collection.insertMany(data.dispatches as never[]);
    await Deliveries(conn).collection.insertMany(data.deliveries as never[]);
    // replay as the exchange does (each dispatch's 01s in one batch, then every later
    // transition in time order), twice: the second pass must count nothing
    const docs = new Map(data.documents.map((d) => [String(d._id), d]));
    const later = data.deliveries
      .flatMap((d) => d.history.filter((h) => h.code !== '01').map((h) => ({ d, h })))
      .sort((a, b) => a.h.at.getTime() - b.h.at.getTime());
    for (let pass = 0; pass < 2; pass++) {
      for (const dispatch of data.dispatches) {
        const mine = data.deliveries.filter((d) => d.dispatchId.equals(dispatch._id));
        await recordTransitions(
          hub.ctx,
          mine.map((d) => ({ delivery: d, code: '01' as const, at: d.createdAt })),
        );
        await recordOutgoing(hub.ctx, dispatch, docs.get(String(dispatch.documentId))!);
      }
      for (const { d, h } of later) await recordTransition(hub.ctx, d, h.code, h.at);
    }
    incremental = await snapshot(hub);
  });
  after(() => hub.close());

  it('generated deliveries and re-dispatched documents', () => {
    expect(data.deliveries.length).to.be.greaterThan(400);
    expect(data.dispatches.length).to.be.greaterThan(data.documents.length);
    expect(data.deliveries.some((d) => d.withdrawn)).to.equal(true);
  });

  function fromSummary(s: TStatsSummary): CounterValues {
    const f = s.figures;
    return {
      received: f.deliveriesReceived!.value!,
      handled: f.sameDayAcknowledgementRate!.denominator!,
      sameDay: f.sameDayAcknowledgementRate!.numerator!,
      accepted: f['toAccepted.p50']!.denominator!,
      completed: f['toCompleted.p50']!.denominator!,
      rejected: f.rejectionRate!.numerator!,
      sent: f.deliveriesSent!.value!,
      recalled: f.recallRate!.numerator!,
      due: f.dueInPeriod!.value!,
      onTime: f.onTimeRate!.numerator!,
      completedLate: f.completedLate!.value!,
    };
  }

  const ranges = [
    ['province, whole year', () => province, '2026-01-01', '2026-12-31'],
    ['province, odd range', () => province, '2025-12-17', '2026-05-20'],
    ['district, a quarter', () => district, '2026-01-01', '2026-03-31'],
    ['district, a week', () => district, '2026-02-02', '2026-02-08'],
    ['commune, odd range', () => commune, '2026-02-10', '2026-04-03'],
  ] as const;

  for (const [name, org, from, to] of ranges) {
    it(`incremental counters give the aggregation's counts: ${name}`, async () => {
      const o = org();
      const res = await call(hub, auditor.token)(API.stats.summary, {
        query: { orgId: o.id, from, to, source: 'aggregation' },
      });
      const expected = fromSummary(res.body);
      expect(expected.received).to.be.greaterThan(0);
      expect(await readCounters(hub.ctx, o.id, from, to)).to.deep.equal(expected);
    });
  }

  it('rebuildCounters recomputes exactly what the incremental path counted', async () => {
    expect(Object.keys(incremental).length).to.be.greaterThan(500);
    const report = await rebuildCounters(hub.ctx);
    expect(report.deliveries).to.equal(data.deliveries.length);
    expect(report.outgoingDocuments).to.equal(
      new Set(data.dispatches.map((d) => String(d.documentId))).size,
    );
    const rebuilt = await snapshot(hub);
    expect(Object.keys(rebuilt).sort()).to.deep.equal(Object.keys(incremental).sort());
    for (const k of Object.keys(rebuilt)) expect(rebuilt[k], k).to.deep.equal(incremental[k]);
    // and the rebuilt markers keep a replayed transition from counting again
    const d = data.deliveries.find((x) => x.history.some((h) => h.code === '03'))!;
    await recordTransition(hub.ctx, d, '03', d.history.find((h) => h.code === '03')!.at);
    expect(await snapshot(hub)).to.deep.equal(rebuilt);
  });

  /** Compares a counters-based figure set (forced approximate) with the exact aggregation. */
  function compare(c: Record<string, TFigure>, e: Record<string, TFigure>, where: string) {
    expect(Object.keys(c).sort(), where).to.deep.equal(Object.keys(e).sort());
    for (const [k, ef] of Object.entries(e)) {
      const cf = c[k]!;
      if (/\.p\d+$/.test(k)) {
        expect(cf.denominator, `${where} ${k} n`).to.equal(ef.denominator);
        if (ef.value === null) {
          expect(cf.value).to.equal(null);
          continue;
        }
        // the reported value is the upper bound of the bucket holding the exact value
        const b = bucketBounds(bucketOf(ef.value));
        expect(cf.value, `${where} ${k}`).to.equal(b.upper);
        expect(cf.resolution).to.deep.equal(b);
        expect(cf.approximate).to.equal(true);
      } else if (cf.approximate) {
        expect(['documentsSent', 'documentsReceived', 'recipientsPerDocument']).to.include(k);
        if (k === 'recipientsPerDocument') expect(cf.numerator).to.equal(ef.numerator);
        else expect(cf.value!, `${where} ${k}`).to.be.at.least(ef.value!);
      } else {
        expect(
          { value: cf.value, numerator: cf.numerator, denominator: cf.denominator },
          `${where} ${k}`,
        ).to.deep.equal({ value: ef.value, numerator: ef.numerator, denominator: ef.denominator });
      }
    }
  }

  for (const [name, org, from, to] of ranges) {
    it(`summary from counters equals the aggregation, percentiles to the bucket: ${name}`, async () => {
      const q = { orgId: org().id, from, to, period: 'month' as const };
      const now = new Date('2026-03-15T10:30:00+07:00');
      const viaCounters = await statsSummary(hub.ctx, asAuditor(), q, now, { exactLimit: 0 });
      const exact = await statsSummary(hub.ctx, asAuditor(), q, now, { source: 'aggregation' });
      expect(viaCounters.source).to.equal('counters');
      compare(viaCounters.figures, exact.figures, name);
      // a whole calendar period is one counter document: distinct documents are exact there
      const single = !name.includes('odd');
      expect(viaCounters.figures.documentsReceived!.approximate ?? false).to.equal(!single);
      expect(viaCounters.figures.openNotDue!.value).to.equal(exact.figures.openNotDue!.value);
      // small scope, default limit: every figure exact, nothing flagged
      const auto = await statsSummary(hub.ctx, asAuditor(), q, now);
      for (const [k, f] of Object.entries(exact.figures))
        expect({ v: auto.figures[k]!.value, a: auto.figures[k]!.approximate }, k).to.deep.equal({
          v: f.value,
          a: undefined,
        });
    });
  }

  for (const period of ['day', 'week', 'month', 'quarter', 'year'] as const) {
    it(`series per ${period} from counters equals the aggregation, bucket by bucket`, async () => {
      const q = { orgId: province.id, from: '2025-12-10', to: '2026-06-20', period };
      const now = new Date('2026-03-15T10:30:00+07:00');
      const c = await statsSeries(hub.ctx, asAuditor(), q, now, { exactLimit: 0 });
      const e = await statsSeries(hub.ctx, asAuditor(), q, now, { source: 'aggregation' });
      expect(c.buckets.map((b) => b.period)).to.deep.equal(e.buckets.map((b) => b.period));
      c.buckets.forEach((b, i) => compare(b.figures, e.buckets[i]!.figures, b.period));
    });
  }

  it('reads nearest-rank percentiles from the histogram bucket by bucket', () => {
    const values = [0, 0, 5, 999, 1000, 1001, 1190, 1200, 60_000, 3_600_000];
    const h: Record<string, number> = {};
    for (const v of values) h[String(bucketOf(v))] = (h[String(bucketOf(v))] ?? 0) + 1;
    expect(bucketOf(0)).to.equal(0);
    expect(bucketOf(1000)).to.equal(1);
    expect(bucketOf(1001)).to.equal(2);
    for (const p of [10, 50, 90, 99]) {
      const exact = values[Math.ceil((p * values.length) / 100) - 1]!;
      const got = histogramPercentile(h, values.length, p);
      expect(got.value).to.equal(bucketBounds(bucketOf(exact)).upper);
      expect(exact).to.be.at.most(got.upper!);
      if (got.lower !== null) expect(exact).to.be.greaterThan(got.lower);
      if (got.lower !== null && got.lower >= 1000)
        expect(got.upper! / got.lower).to.be.at.most(1.19 + 0.01);
    }
  });

  it('covers a range with whole years, whole months and loose days', () => {
    expect(counterKeys('2025-12-30', '2027-02-02')).to.deep.equal([
      'd:2025-12-30',
      'd:2025-12-31',
      'y:2026',
      'm:2027-01',
      'd:2027-02-01',
      'd:2027-02-02',
    ]);
  });
});

describe('stats: counters fed by the real exchange module', function () {
  this.timeout(120_000);
  let hub: Hub;

  before(async () => {
    hub = await startTestHub();
  });
  after(() => hub.close());

  it('a dispatch through the API counts the outgoing document once, with its seal, and every transition', async () => {
    const province = await makeOrg(hub.ctx, { level: 'province' });
    const district = await makeOrg(hub.ctx, { level: 'district', parentId: province.id });
    const commune = await makeOrg(hub.ctx, { parentId: district.id });
    const clerk = await makeUser(hub, district, ['clerk']);
    const rclerk = await makeUser(hub, commune, ['clerk']);
    const auditor = await makeUser(hub, province, ['auditor']);
    const doc = await makeDocument(hub, clerk);
    // a sealed version, as the signing module would add it
    const stored = (await Documents(hub.ctx.db.conn).findById(doc.id).lean())!;
    const sealed = {
      ...stored.versions[0]!,
      _id: new Types.ObjectId(),
      reason: 'signature',
      signature: { kind: 'seal', signer: 'UBND', level: 'B-T', signedAt: new Date() },
    };
    await Documents(hub.ctx.db.conn).collection.updateOne(
      { _id: stored._id },
      { $push: { versions: sealed as never }, $set: { currentVersionId: sealed._id } },
    );
    const ask = api(hub, clerk.token);
    const body = { documentId: doc.id, recipients: [commune.id, province.id] };
    const first = await call(hub, clerk.token)(API.exchange.dispatch, { body: body });
    expect(first.status).to.equal(201);
    // dispatched again: still one outgoing document, two more deliveries
    expect((await ask('POST', '/api/v1/dispatches', body)).status).to.equal(201);
    const mine = first.body.deliveries.find((d) => d.recipientOrgId === commune.id)!;
    const rc = api(hub, rclerk.token);
    for (const code of ['03', '05', '06'])
      expect((await rc('POST', `/api/v1/deliveries/${mine.id}/status`, { code })).status).to.equal(
        200,
      );
    const today = new Date(Date.now() + 7 * HOUR).toISOString().slice(0, 10);
    const q = { orgId: province.id, from: today, to: today };
    const summary = call(hub, auditor.token);
    const viaCounters = (await summary(API.stats.summary, { query: q })).body;
    const exact = (await summary(API.stats.summary, { query: { ...q, source: 'aggregation' } }))
      .body;
    expect(viaCounters.source).to.equal('counters');
    expect(viaCounters.figures.outgoingDocuments!.value).to.equal(1);
    expect(viaCounters.figures.sealSignatureRate!.value).to.equal(1);
    expect(viaCounters.figures.deliveriesSent!.value).to.equal(4);
    expect(viaCounters.figures.documentsSent!.value).to.equal(1);
    expect(viaCounters.figures['toCompleted.p50']!.denominator).to.equal(1);
    for (const [k, f] of Object.entries(exact.figures))
      expect(viaCounters.figures[k]!.value, k).to.equal(f.value);
    // the district's own counters hold the same facts (rolled up to the province too)
    expect((await readCounters(hub.ctx, district.id, today, today)).sent).to.equal(4);
  });

  it('an acceptance counted before its arrival still counts both, once', async () => {
    const sender = await makeOrg(hub.ctx);
    const recipient = await makeOrg(hub.ctx);
    const clerk = await makeUser(hub, sender, ['clerk']);
    const doc = await makeDocument(hub, clerk);
    const res = await call(hub, clerk.token)(API.exchange.dispatch, {
      body: {
        documentId: doc.id,
        recipients: [recipient.id],
      },
    });
    const id = res.body.deliveries[0]!.id;
    const today = new Date(Date.now() + 7 * HOUR).toISOString().slice(0, 10);
    await flushCounters(hub.ctx);
    const before = await readCounters(hub.ctx, recipient.id, today, today);
    await hub.ctx.db.conn.collection('stats_marks').deleteOne({ _id: new Types.ObjectId(id) });
    const stored = (await Deliveries(hub.ctx.db.conn).findById(id).lean())!;
    const at = new Date();
    const accepted = {
      ...stored,
      history: [...stored.history, { ...stored.history[0]!, code: '03' as const, at }],
    };
    // the acceptance's counters land first (it raced the dispatch's flush), then the arrival's
    await recordTransition(hub.ctx, accepted, '03', at);
    await recordTransitions(hub.ctx, [{ delivery: stored, code: '01', at: stored.createdAt }]);
    await recordTransitions(hub.ctx, [{ delivery: stored, code: '01', at: stored.createdAt }]);
    const after = await readCounters(hub.ctx, recipient.id, today, today);
    expect(after.received - before.received).to.equal(1);
    expect(after.accepted - before.accepted).to.equal(1);
  });
});

import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TFigure } from '../../../server/src/contracts/stats.js';
import type { Hub } from '../../../server/src/hub.js';
import { Documents } from '../../../server/src/modules/documents/document.model.js';
import { Deliveries, Dispatches } from '../../../server/src/modules/exchange/delivery.model.js';
import { rebuildCounters } from '../../../server/src/modules/stats/rebuild-counters.js';
import { api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { API, call, follow } from '../../support/call.js';

/* ------------------------------------------------------------------ synthetic history */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TYPES = ['Công văn', 'Quyết định', 'Tờ trình', 'Báo cáo'];
const URGENCIES = ['thuong', 'khan', 'thuong_khan', 'hoa_toc'];
const KINDS = ['seal', 'personal', 'timestamp'];

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: T[]): T => a[Math.floor(next() * a.length)]!,
    chance: (p: number) => next() < p,
  };
}

type Raw = {
  documents: Record<string, unknown>[];
  dispatches: Record<string, unknown>[];
  deliveries: Record<string, unknown>[];
};

function endOfVnDay(t: number): Date {
  return new Date(Math.floor((t + 7 * HOUR) / DAY) * DAY + DAY - 1 - 7 * HOUR);
}

function generate(orgIds: Types.ObjectId[], nDocs: number, seed: number): Raw {
  const r = prng(seed);
  const t0 = Date.parse('2025-10-01T00:00:00+07:00');
  const span = Date.parse('2027-01-15T00:00:00+07:00') - t0;
  const raw: Raw = { documents: [], dispatches: [], deliveries: [] };
  for (let i = 0; i < nDocs; i++) {
    const orgId = r.pick(orgIds);
    const versions = Array.from({ length: 1 + r.int(4) }, (_, k) => {
      const reason = k === 0 ? 'upload' : r.pick(['signature', 'signature', 'replacement']);
      const kind = reason === 'signature' || r.chance(0.1) ? r.pick(KINDS) : null;

      return {
        _id: new Types.ObjectId(),
        reason,
        ...(kind ? { signature: { kind, signer: 'x', level: 'B-T', signedAt: 'x' } } : {}),
      };
    });
    const docId = new Types.ObjectId();
    raw.documents.push({
      _id: docId,
      orgId,
      meta: { type: r.pick(TYPES), urgency: r.pick(URGENCIES), register: 'chung', number: i + 1 },
      year: 2026,
      versions,
      status: 'dispatched',
    });
    let at = t0 + r.int(span);
    for (let k = 0, n = r.chance(0.3) ? 2 : 1; k < n; k++) {
      at += k * r.int(60 * DAY);
      addDispatch(raw, r, orgIds, { docId, orgId, versionId: r.pick(versions)._id, at });
    }
  }

  return raw;
}

function addDispatch(
  raw: Raw,
  r: ReturnType<typeof prng>,
  orgIds: Types.ObjectId[],
  d: { docId: Types.ObjectId; orgId: Types.ObjectId; versionId: Types.ObjectId; at: number },
) {
  const others = orgIds.filter((o) => !o.equals(d.orgId)).sort(() => r.next() - 0.5);
  const recipients = others.slice(0, 1 + r.int(5));
  const dueDate = r.chance(0.2) ? null : endOfVnDay(d.at + r.int(20) * DAY);
  const dispatchId = new Types.ObjectId();
  const createdAt = new Date(d.at);
  raw.dispatches.push({
    _id: dispatchId,
    orgId: d.orgId,
    documentId: d.docId,
    versionId: d.versionId,
    recipients,
    dueDate,
    createdAt,
  });
  for (const rec of recipients) {
    const history = [{ code: '01', at: createdAt }];
    let t = d.at;
    const step = (code: string, maxHours: number) => {
      t += r.int(maxHours * HOUR);
      history.push({ code, at: new Date(t) });
    };
    if (r.chance(0.1)) step('02', 30);
    else if (r.chance(0.85)) {
      step('03', 36);
      if (r.chance(0.5)) step('04', 24);
      if (r.chance(0.85)) step('05', 48);
      if (history.at(-1)!.code === '05' && r.chance(0.8)) step('06', 24 * 25);
    }
    if (r.chance(0.05)) history.push({ code: '13', at: new Date(t + HOUR) });
    const change = r.chance(0.08)
      ? { kind: 'recall', state: r.pick(['requested', 'agreed']) }
      : r.chance(0.05)
        ? { kind: 'update', state: 'requested' }
        : null;
    raw.deliveries.push({
      _id: new Types.ObjectId(),
      dispatchId,
      documentId: d.docId,
      senderOrgId: d.orgId,
      recipientOrgId: rec,
      status: [...history].reverse().find((h) => h.code !== '13')!.code,
      urgency: r.pick(URGENCIES),
      dueDate,
      change,
      withdrawn: change?.kind === 'recall' && change.state === 'agreed',
      history,
      createdAt,
    });
  }
}

/* ------------------------------------------------------------------ brute-force recount */

type Expected = Record<string, { value: number | null; numerator?: number; denominator?: number }>;

/** Vietnam calendar labels computed through Intl, independently of the module's calendar code. */
/** One formatter: toLocaleString with a time zone builds a new one per call (4 s of this file). */
const VN_DAY = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Vietnam calendar day, yyyy-mm-dd. */
function vnParts(t: Date) {
  return VN_DAY.format(t);
}

function label(t: Date, unit: string): string {
  const d = vnParts(t);
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  if (unit === 'day') return d;
  if (unit === 'month') return d.slice(0, 7);
  if (unit === 'quarter') return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  if (unit === 'year') return String(y);
  const u = new Date(Date.UTC(y, m - 1, day));
  u.setUTCDate(u.getUTCDate() - ((u.getUTCDay() + 6) % 7));

  return u.toISOString().slice(0, 10);
}

const sameVnDay = (a: Date, b: Date) => vnParts(a) === vnParts(b);

function pct(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);

  return s[Math.ceil((p * s.length) / 100) - 1]!;
}

type H = { code: string; at: Date };
const first = (h: H[], code: string) =>
  h.filter((x) => x.code === code).reduce<Date | null>((m, x) => (!m || x.at < m ? x.at : m), null);

function recount(
  raw: Raw,
  scope: Set<string>,
  start: Date,
  end: Date,
  asOf: Date,
  bucketOf: (t: Date) => string,
): Map<string, Expected> {
  const inRange = (t: Date | null) => !!t && t >= start && t < end;
  const groups = new Map<string, Record<string, unknown[]>>();
  const add = (t: Date, k: string, v: unknown) => {
    const b = bucketOf(t);
    if (!groups.has(b)) groups.set(b, {});
    (groups.get(b)![k] ??= []).push(v);
  };
  // outgoing documents: period of the first dispatch
  const firstDispatch = new Map<string, Record<string, unknown>>();
  for (const d of raw.dispatches) {
    const k = String(d.documentId);
    const cur = firstDispatch.get(k);
    if (!cur || (d.createdAt as Date) < (cur.createdAt as Date)) firstDispatch.set(k, d);
  }
  for (const doc of raw.documents) {
    const d = firstDispatch.get(String(doc._id));
    if (!d || !scope.has(String(doc.orgId)) || !inRange(d.createdAt as Date)) continue;
    const kinds = new Set<string>();
    for (const v of doc.versions as {
      _id: Types.ObjectId;
      reason: string;
      signature?: { kind: string };
    }[]) {
      if (v.reason !== 'signature') kinds.clear();
      if (v.signature) kinds.add(v.signature.kind);
      if (v._id.equals(d.versionId as Types.ObjectId)) break;
    }
    const meta = doc.meta as { type: string; urgency: string };
    add(d.createdAt as Date, 'outgoing', {
      seal: kinds.has('seal'),
      personal: kinds.has('personal'),
      ...meta,
    });
  }
  for (const d of raw.deliveries) {
    const h = d.history as H[];
    const created = d.createdAt as Date;
    if (scope.has(String(d.senderOrgId)) && inRange(created)) add(created, 'sent', d);
    if (scope.has(String(d.recipientOrgId)) && inRange(created)) add(created, 'received', d);
    const due = d.dueDate as Date | null;
    if (scope.has(String(d.recipientOrgId)) && inRange(due) && !d.withdrawn && d.status !== '02')
      add(due!, 'due', { due, completed: first(h, '06') });
  }
  const out = new Map<string, Expected>();
  for (const [b, g] of groups) out.set(b, expectedOf(g, asOf));

  return out;
}

function ratio(n: number, d: number) {
  return { value: d === 0 ? null : n / d, numerator: n, denominator: d };
}

function expectedOf(g: Record<string, unknown[]>, asOf: Date): Expected {
  const e: Expected = {};
  const outgoing = (g.outgoing ?? []) as {
    seal: boolean;
    personal: boolean;
    type: string;
    urgency: string;
  }[];
  e.outgoingDocuments = { value: outgoing.length };
  e.sealSignatureRate = ratio(outgoing.filter((o) => o.seal).length, outgoing.length);
  e.personalSignatureRate = ratio(outgoing.filter((o) => o.personal).length, outgoing.length);
  e.stillValidRate = { value: null };
  for (const t of new Set(outgoing.map((o) => o.type)))
    e[`outgoingByType:${t}`] = { value: outgoing.filter((o) => o.type === t).length };
  for (const u of URGENCIES)
    e[`outgoingByUrgency:${u}`] = { value: outgoing.filter((o) => o.urgency === u).length };

  const sent = (g.sent ?? []) as Record<string, unknown>[];
  const sentDocs = new Set(sent.map((d) => String(d.documentId))).size;
  e.deliveriesSent = { value: sent.length };
  e.documentsSent = { value: sentDocs };
  e.recipientsPerDocument = ratio(sent.length, sentDocs);
  for (const u of URGENCIES)
    e[`deliveriesSentByUrgency:${u}`] = { value: sent.filter((d) => d.urgency === u).length };
  const received = (g.received ?? []) as Record<string, unknown>[];
  e.deliveriesReceived = { value: received.length };
  e.documentsReceived = { value: new Set(received.map((d) => String(d.documentId))).size };
  for (const u of URGENCIES)
    e[`deliveriesReceivedByUrgency:${u}`] = {
      value: received.filter((d) => d.urgency === u).length,
    };

  const due = (g.due ?? []) as { due: Date; completed: Date | null }[];
  const onTime = due.filter((d) => d.completed && d.completed <= d.due).length;
  const late = due.filter((d) => d.completed && d.completed > d.due).length;
  const openOver = due.filter((d) => !d.completed && d.due < asOf).length;
  e.onTimeRate = ratio(onTime, due.length);
  e.dueInPeriod = { value: due.length };
  e.overdue = { value: late + openOver };
  e.completedLate = { value: late };
  e.openOverdue = { value: openOver };
  e.openNotDue = { value: due.filter((d) => !d.completed && d.due >= asOf).length };

  const handled = received.filter((d) => !d.withdrawn);
  const times = handled.map((d) => {
    const h = d.history as H[];
    const arrived = first(h, '01') ?? (d.createdAt as Date);

    return {
      d,
      arrived,
      accepted: first(h, '03'),
      completed: first(h, '06'),
      rejected: h.some((x) => x.code === '02'),
    };
  });
  e.sameDayAcknowledgementRate = ratio(
    times.filter((x) => x.accepted && sameVnDay(x.accepted, x.arrived)).length,
    handled.length,
  );
  e.rejectionRate = ratio(times.filter((x) => x.rejected).length, handled.length);
  e.recallRate = ratio(
    sent.filter((d) => (d.change as { kind?: string } | null)?.kind === 'recall').length,
    sent.length,
  );
  const lat = {
    toArrived: times.map((x) => x.arrived.getTime() - (x.d.createdAt as Date).getTime()),
    toAccepted: times
      .filter((x) => x.accepted)
      .map((x) => x.accepted!.getTime() - x.arrived.getTime()),
    toCompleted: times
      .filter((x) => x.completed)
      .map((x) => x.completed!.getTime() - x.arrived.getTime()),
  };
  for (const [k, v] of Object.entries(lat))
    for (const p of [50, 90, 99]) e[`${k}.p${p}`] = { value: pct(v, p), denominator: v.length };

  return e;
}

function project(figures: Record<string, TFigure>): Expected {
  const out: Expected = {};
  for (const [k, f] of Object.entries(figures)) {
    // by-type figures exist only for types that occur; zero rows are not listed
    if (k.startsWith('outgoingByType:') && f.value === 0) continue;
    out[k] = {
      value: f.value,
      ...(f.numerator !== undefined ? { numerator: f.numerator } : {}),
      ...(f.denominator !== undefined ? { denominator: f.denominator } : {}),
    };
  }

  return out;
}

/* ------------------------------------------------------------------ tests */

describe('stats: auditor statistics over generated history', function () {
  this.timeout(180_000);
  let hub: Hub;
  let province: TOrg;
  let districts: TOrg[];
  let communes: TOrg[];
  let other: TOrg;
  let all: TOrg[];
  let raw: Raw;
  let auditor: TestUser;
  let districtAdmin: TestUser;
  let hubAdmin: TestUser;
  let clerk: TestUser;

  before(async () => {
    hub = await startTestHub();
    province = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    districts = [
      await makeOrg(hub.ctx, {
        name: 'UBND huyện Hoằng Hóa',
        level: 'district',
        parentId: province.id,
      }),
      await makeOrg(hub.ctx, {
        name: 'UBND huyện Nga Sơn',
        level: 'district',
        parentId: province.id,
      }),
    ];
    communes = [];
    for (const d of districts)
      for (let i = 0; i < 2; i++) communes.push(await makeOrg(hub.ctx, { parentId: d.id }));
    other = await makeOrg(hub.ctx, { name: 'UBND tỉnh Nghệ An', level: 'province' });
    const otherCommune = await makeOrg(hub.ctx, { parentId: other.id });
    all = [province, ...districts, ...communes, other, otherCommune];
    raw = generate(
      all.map((o) => new Types.ObjectId(o.id)),
      900,
      20261128,
    );
    const conn = hub.ctx.db.conn;
    await Documents(conn).collection.insertMany(raw.documents);
    await Dispatches(conn).collection.insertMany(raw.dispatches);
    await Deliveries(conn).collection.insertMany(raw.deliveries);
    // inserted behind the exchange module's back: the counters are recomputed from the data
    await rebuildCounters(hub.ctx);
    auditor = await makeUser(hub, other, ['auditor']);
    districtAdmin = await makeUser(hub, districts[0]!, ['org_admin']);
    hubAdmin = await makeUser(hub, other, ['hub_admin']);
    clerk = await makeUser(hub, province, ['clerk']);
  });
  after(() => hub.close());

  function subtree(org: TOrg): Set<string> {
    return new Set(
      all.filter((o) => o.id === org.id || o.ancestors.includes(org.id)).map((o) => o.id),
    );
  }

  const dayStart = (d: string) => new Date(`${d}T00:00:00+07:00`);
  const dayEnd = (d: string) => new Date(dayStart(d).getTime() + DAY);

  it('generated a few thousand deliveries over several organizations and months', () => {
    expect(raw.deliveries.length).to.be.greaterThan(2000);
    expect(new Set(raw.deliveries.map((d) => String(d.recipientOrgId))).size).to.equal(all.length);
  });

  const cases: [string, () => TOrg, string, string][] = [
    ['the province over a year', () => province, '2026-01-01', '2026-12-31'],
    ['a district over a quarter', () => districts[0]!, '2026-04-01', '2026-06-30'],
    ['a commune over a month', () => communes[1]!, '2026-03-01', '2026-03-31'],
    ['another province over 15 months', () => other, '2025-10-01', '2026-12-31'],
  ];
  for (const [name, org, from, to] of cases) {
    it(`summary equals the brute-force recount: ${name}`, async () => {
      const o = org();
      const res = await call(hub, auditor.token)(API.stats.summary, {
        query: { orgId: o.id, from, to },
      });
      expect(res.status).to.equal(200);
      const s = res.body;
      expect(s.subtreeSize).to.equal(subtree(o).size);
      const expected = recount(
        raw,
        subtree(o),
        dayStart(from),
        dayEnd(to),
        new Date(s.asOf),
        () => 'all',
      );
      const e = expected.get('all')!;
      expect(e.deliveriesReceived!.value).to.be.greaterThan(0);
      expect(project(s.figures)).to.deep.equal(e);
    });
  }

  for (const [unit, from, to] of [
    ['month', '2025-11-15', '2026-12-31'],
    ['week', '2026-01-01', '2026-03-31'],
    ['day', '2026-02-01', '2026-02-28'],
    ['quarter', '2025-10-01', '2026-12-31'],
    ['year', '2025-10-01', '2027-01-14'],
  ] as const) {
    it(`series per ${unit} equals the brute-force recount, bucket by bucket`, async () => {
      const res = await call(hub, auditor.token)(API.stats.series, {
        query: { orgId: province.id, from, to, period: unit },
      });
      expect(res.status).to.equal(200);
      const s = res.body;
      const expected = recount(
        raw,
        subtree(province),
        dayStart(from),
        dayEnd(to),
        new Date(s.asOf),
        (t) => label(t, unit),
      );
      for (const k of expected.keys()) expect(s.buckets.map((b) => b.period)).to.include(k);
      const empty = expectedOf({}, new Date(s.asOf));
      for (const b of s.buckets) {
        expect(project(b.figures), `${unit} ${b.period}`).to.deep.equal(
          expected.get(b.period) ?? empty,
        );
      }
      if (unit === 'week') expect(new Date(s.buckets[1]!.start).getUTCDay()).to.equal(0); // Monday 00:00 +07 = Sunday 17:00Z
    });
  }

  it('drill-down lists exactly the deliveries and documents behind a figure', async () => {
    const drill = async (link: string) =>
      (await follow(hub, auditor.token)(API.stats.items, link)).body;
    const s = (
      await call(hub, auditor.token)(API.stats.summary, {
        query: { orgId: province.id, from: '2026-01-01', to: '2026-12-31' },
      })
    ).body;
    const scope = subtree(province);
    for (const key of [
      'onTimeRate',
      'sameDayAcknowledgementRate',
      'sealSignatureRate',
      'recallRate',
    ]) {
      const f = s.figures[key]!;
      for (const [url, n] of [
        [f.drillDown!, f.numerator!],
        [f.drillDownDenominator!, f.denominator!],
      ] as const) {
        const ids: string[] = [];
        let cursor = '';
        for (;;) {
          const page = await drill(`${url}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
          ids.push(...page.ids);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(ids.length, `${key} ${url}`).to.equal(n);
        expect(new Set(ids).size).to.equal(ids.length);
      }
    }
    // the on-time list really holds deliveries received in the subtree, completed by their due date
    const onTime = await drill(`${s.figures.onTimeRate!.drillDown!}&limit=1000`);
    expect(onTime.kind).to.equal('delivery');
    const byId = new Map(raw.deliveries.map((d) => [String(d._id), d]));
    for (const id of onTime.ids) {
      const d = byId.get(id)!;
      expect(scope.has(String(d.recipientOrgId))).to.equal(true);
      expect(first(d.history as H[], '06')!.getTime()).to.be.at.most((d.dueDate as Date).getTime());
    }
    const byType = Object.values(s.figures).find((f) => f.key.startsWith('outgoingByType:'))!;
    const docs = await drill(`${byType.drillDown!}&limit=1000`);
    expect(docs.kind).to.equal('document');
    expect(docs.ids.length).to.equal(byType.value);
  });

  it('serves CSV with a BOM, Vietnamese headers and an attachment name', async () => {
    const res = await fetch(
      `${hub.url}/api/v1/stats/summary?orgId=${province.id}&from=2026-01-01&to=2026-12-31`,
      {
        headers: { authorization: `Bearer ${auditor.token}`, accept: 'text/csv' },
      },
    );
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).to.match(
      /^attachment; filename="thong-ke-summary-.*\.csv"$/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).to.contain('UBND tỉnh Thanh Hóa');
    expect(lines[1]).to.equal(
      'Chỉ số,Mã chỉ số,Giá trị,Tử số,Mẫu số,Đơn vị,Ghi chú,Truy vấn chi tiết',
    );
    const json = (
      await call(hub, auditor.token)(API.stats.summary, {
        query: { orgId: province.id, from: '2026-01-01', to: '2026-12-31' },
      })
    ).body;
    const onTime = lines.find((l) => l.includes(',onTimeRate,'))!.split(',');
    expect(Number(onTime[2])).to.equal(json.figures.onTimeRate!.value);
    expect(lines).to.have.length(2 + Object.keys(json.figures).length);

    const series = await fetch(
      `${hub.url}/api/v1/stats/series?orgId=${province.id}&from=2026-01-01&to=2026-12-31&period=quarter`,
      {
        headers: { authorization: `Bearer ${auditor.token}`, accept: 'text/csv' },
      },
    );
    const rows = (await series.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows.map((r) => r.split(',')[0]).slice(2)).to.deep.equal([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
    expect(rows[1]).to.contain('Tỷ lệ xử lý đúng hạn');
  });

  it('lets org admins see their subtree only, and refuses other roles', async () => {
    const asAdmin = api(hub, districtAdmin.token);
    const own = await call(hub, districtAdmin.token)(API.stats.summary, {
      query: { orgId: communes[0]!.id, period: 'year', from: '2026-01-01' },
    });
    expect(own.status).to.equal(200);
    expect(own.body.to).to.equal('2026-12-31');
    const mine = await call(hub, districtAdmin.token)(API.stats.summary);
    expect(mine.status).to.equal(200);
    expect(mine.body.orgId).to.equal(districts[0]!.id);
    for (const o of [province, districts[1]!, communes[2]!, other]) {
      const r = await asAdmin('GET', `/api/v1/stats/summary?orgId=${o.id}`);
      expect(r.status, o.name).to.equal(404);
      const items = await asAdmin('GET', `/api/v1/stats/items?metric=onTime&orgId=${o.id}`);
      expect(items.status).to.equal(404);
    }
    expect((await api(hub, clerk.token)('GET', `/api/v1/stats/summary`)).status).to.equal(403);
    expect((await api(hub)('GET', `/api/v1/stats/summary`)).status).to.equal(401);
    expect(
      (await api(hub, hubAdmin.token)('GET', `/api/v1/stats/series?orgId=${province.id}`)).status,
    ).to.equal(200);
    expect(
      (
        await api(hub, auditor.token)(
          'GET',
          `/api/v1/stats/summary?orgId=${new Types.ObjectId().toHexString()}`,
        )
      ).status,
    ).to.equal(404);
    expect(
      (await api(hub, auditor.token)('GET', `/api/v1/stats/summary?from=2026-02-30&to=2026-03-01`))
        .status,
    ).to.equal(400);
  });

  it('says plainly that the still-valid share is not computed', async () => {
    const s = (await call(hub, auditor.token)(API.stats.summary, { query: { orgId: province.id } }))
      .body;
    expect(s.figures.stillValidRate).to.include({ computed: false, value: null });
    expect(s.figures.stillValidRate!.note).to.match(/Chưa tính/);
  });

  it('uses the indexes it creates for every fact query', async () => {
    const names = (await Deliveries(hub.ctx.db.conn).collection.indexes()).map((i) => i.name);
    expect(names).to.include.members([
      'stats_recipient_created',
      'stats_recipient_due',
      'senderOrgId_1_createdAt_-1',
    ]);
    const sent = await Deliveries(hub.ctx.db.conn)
      .collection.find({
        senderOrgId: { $in: [new Types.ObjectId(province.id)] },
        createdAt: { $gte: new Date('2026-01-01'), $lt: new Date('2026-02-01') },
      })
      .explain();
    expect(JSON.stringify(sent)).to.match(/IXSCAN/);
    const plan = await Deliveries(hub.ctx.db.conn)
      .collection.find({
        recipientOrgId: { $in: [new Types.ObjectId(province.id)] },
        dueDate: { $gte: new Date('2026-01-01'), $lt: new Date('2026-02-01') },
      })
      .explain();
    expect(JSON.stringify(plan)).to.match(/IXSCAN/);
  });
});

import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TStatusCode } from '../../../server/src/contracts/exchange.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TStatsSummary } from '../../../server/src/contracts/stats.js';
import type { Hub } from '../../../server/src/hub.js';
import {
  Deliveries,
  type DeliveryDoc,
} from '../../../server/src/modules/exchange/delivery.model.js';
import {
  counterKeys,
  readCounters,
  recordTransition,
  type CounterValues,
} from '../../../server/src/modules/stats/counters.js';
import { api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function deliveries(orgs: Types.ObjectId[], n: number): DeliveryDoc[] {
  let s = 7;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
  const t0 = Date.parse('2025-12-01T00:00:00+07:00');
  return Array.from({ length: n }, () => {
    const sender = pick(orgs);
    const recipient = pick(orgs.filter((o) => !o.equals(sender)));
    const created = t0 + Math.floor(rnd() * 200 * DAY);
    const due =
      rnd() < 0.8
        ? new Date(Math.floor((created + 7 * HOUR) / DAY) * DAY + 10 * DAY - 1 - 7 * HOUR)
        : null;
    const history: { code: TStatusCode; at: Date }[] = [{ code: '01', at: new Date(created) }];
    let t = created;
    const step = (code: TStatusCode, h: number) =>
      history.push({ code, at: new Date((t += Math.floor(rnd() * h * HOUR))) });
    let change: DeliveryDoc['change'] = null;
    let withdrawn = false;
    if (rnd() < 0.1) step('02', 30);
    else {
      if (rnd() < 0.9) step('03', 30);
      if (history.at(-1)!.code === '03' && rnd() < 0.8) step('05', 40);
      if (history.at(-1)!.code === '05' && rnd() < 0.8) step('06', 24 * 15);
      if (rnd() < 0.1) {
        step('13', 10);
        change = { kind: 'recall', state: 'requested' };
        if (rnd() < 0.6) {
          step('15', 10);
          change = { kind: 'recall', state: 'agreed' };
          withdrawn = true;
        }
      }
    }
    return {
      _id: new Types.ObjectId(),
      dispatchId: new Types.ObjectId(),
      documentId: new Types.ObjectId(),
      senderOrgId: sender,
      recipientOrgId: recipient,
      status: [...history].reverse().find((h) => !['13', '15'].includes(h.code))!.code,
      urgency: 'thuong',
      dueDate: due,
      change,
      withdrawn,
      history,
      createdAt: new Date(created),
    } as unknown as DeliveryDoc;
  });
}

describe('stats: incremental counters equal the aggregation', function () {
  this.timeout(180_000);
  let hub: Hub;
  let province: TOrg;
  let commune: TOrg;
  let auditor: TestUser;

  before(async () => {
    hub = await startTestHub();
    province = await makeOrg(hub.ctx, { level: 'province' });
    const district = await makeOrg(hub.ctx, { level: 'district', parentId: province.id });
    commune = await makeOrg(hub.ctx, { parentId: district.id });
    const other = await makeOrg(hub.ctx, { parentId: province.id });
    const outside = await makeOrg(hub.ctx, { level: 'province' });
    auditor = await makeUser(hub, outside, ['auditor']);
    const ids = [province, district, commune, other, outside].map((o) => new Types.ObjectId(o.id));
    const ds = deliveries(ids, 600);
    await Deliveries(hub.ctx.db.conn).collection.insertMany(ds as never[]);
    // replay every transition, twice: the second pass must count nothing
    for (let pass = 0; pass < 2; pass++)
      for (const d of ds)
        for (const h of d.history) await recordTransition(hub.ctx, d, h.code, h.at);
  });
  after(() => hub.close());

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

  for (const [name, org, from, to] of [
    ['province, whole year', () => province, '2026-01-01', '2026-12-31'],
    ['province, odd range', () => province, '2025-12-17', '2026-05-20'],
    ['commune, odd range', () => commune, '2026-02-10', '2026-04-03'],
  ] as const) {
    it(`counters give the aggregation's counts: ${name}`, async () => {
      const o = org();
      const res = await api(hub, auditor.token)(
        'GET',
        `/api/v1/stats/summary?orgId=${o.id}&from=${from}&to=${to}&source=aggregation`,
      );
      const expected = fromSummary(res.body as unknown as TStatsSummary);
      expect(expected.received).to.be.greaterThan(0);
      expect(await readCounters(hub.ctx, o.id, from, to)).to.deep.equal(expected);
    });
  }

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

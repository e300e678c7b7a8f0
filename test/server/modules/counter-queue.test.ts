import { expect } from 'chai';
import type { Hub } from '../../../server/src/hub.js';
import { COUNTERS } from '../../../server/src/modules/stats/counter-cells.js';
import { flushCounters } from '../../../server/src/modules/stats/counter-queue.js';
import { readCounters } from '../../../server/src/modules/stats/counters.js';
import { rebuildCounters } from '../../../server/src/modules/stats/rebuild-counters.js';
import { API, call } from '../../support/call.js';
import { api, makeDocument, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';

const HOUR = 3_600_000;

/** Counter documents without their ids' order mattering, for an exact comparison. */
async function counterDocs(hub: Hub): Promise<Map<string, unknown>> {
  const docs = await hub.ctx.db.conn.collection(COUNTERS).find().toArray();

  return new Map(docs.map((d) => [String(d._id), d]));
}

describe('stats counters queue: the exchange does not wait for them, nothing is lost', function () {
  this.timeout(120_000);
  let hub: Hub;
  before(async () => {
    hub = await startTestHub({}, 'counter_queue');
  });
  after(() => hub.close());

  it('concurrent dispatches and answers, flushed, count exactly what a rebuild counts', async () => {
    const province = await makeOrg(hub.ctx, { level: 'province' });
    const district = await makeOrg(hub.ctx, { level: 'district', parentId: province.id });
    const communes = await Promise.all(
      Array.from({ length: 6 }, () => makeOrg(hub.ctx, { parentId: district.id })),
    );
    const clerk = await makeUser(hub, province, ['clerk']);
    const docs = await Promise.all(Array.from({ length: 8 }, () => makeDocument(hub, clerk)));
    // eight dispatches in flight at once: their transitions share flushes and counter cells
    const dispatched = await Promise.all(
      docs.map((d) =>
        call(hub, clerk.token)(API.exchange.dispatch, {
          body: { documentId: d.id, recipients: communes.map((c) => c.id) },
        }),
      ),
    );
    for (const r of dispatched) expect(r.status).to.equal(201);
    // the responses did not wait for the counters; a flush does
    await flushCounters(hub.ctx);
    const today = new Date(Date.now() + 7 * HOUR).toISOString().slice(0, 10);
    expect((await readCounters(hub.ctx, province.id, today, today)).received).to.equal(8 * 6);
    const rclerk = await makeUser(hub, communes[0]!, ['clerk']);
    const answer = api(hub, rclerk.token);
    const mine = dispatched.flatMap((r) =>
      r.body.deliveries.filter((d) => d.recipientOrgId === communes[0]!.id).map((d) => d.id),
    );
    await Promise.all(
      mine.map((id) => answer('POST', `/api/v1/deliveries/${id}/status`, { code: '03' })),
    );

    await flushCounters(hub.ctx);
    const counted = await readCounters(hub.ctx, province.id, today, today);
    expect(counted.sent).to.equal(8 * 6);
    expect(counted.received).to.equal(8 * 6);
    expect(counted.accepted).to.equal(8);
    const incremental = await counterDocs(hub);
    await rebuildCounters(hub.ctx);
    expect(await counterDocs(hub)).to.deep.equal(incremental);
  });

  it('writes day cells within seconds and coarser cells later, with no reader asking', async () => {
    const province = await makeOrg(hub.ctx, { level: 'province' });
    const communes = await Promise.all([1, 2].map(() => makeOrg(hub.ctx)));
    const clerk = await makeUser(hub, province, ['clerk']);
    const doc = await makeDocument(hub, clerk);
    const sent = await api(hub, clerk.token)('POST', '/api/v1/dispatches', {
      documentId: doc.id,
      recipients: communes.map((c) => c.id),
    });
    expect(sent.status).to.equal(201);
    const t0 = Date.now();
    const cell = (grain: string) =>
      hub.ctx.db.conn
        .collection(COUNTERS)
        .findOne({ _id: new RegExp(`^${province.id}\\|${grain}:`) as never });
    const writtenAfter = async (grain: string) => {
      while (!(await cell(grain))) {
        if (Date.now() - t0 > 25_000) throw new Error(`no ${grain} cell after 25 s`);
        await new Promise((r) => setTimeout(r, 100));
      }

      return Date.now() - t0;
    };
    const day = await writtenAfter('d');
    const month = await writtenAfter('m');
    expect(day).to.be.within(1_500, 8_000);
    expect(month).to.be.within(9_000, 20_000);
    expect(await cell('m')).to.include({ sent: 2 });
  });
});

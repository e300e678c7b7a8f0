import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TDeliveryStatusEvent } from '../../../server/src/contracts/events.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { registerEventSource } from '../../../server/src/modules/events/index.js';
import { publish, publishEvents } from '../../../server/src/modules/events/publish.js';
import { makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { connectSocket } from '../../support/sockets.js';
import { API, call } from '../../support/call.js';
import { EventClient } from '../faults/engine-hub.js';

function statusEvent(n: number): TDeliveryStatusEvent {
  return {
    deliveryId: `d${n}`,
    dispatchId: 'x',
    documentId: 'y',
    recipientOrgId: 'z',
    recipientName: 'UBND xã Hoằng Đồng',
    code: '03',
    at: new Date().toISOString(),
    actorName: 'Văn thư',
    receipt: { jws: 'a.b.c', keyId: 'k' },
  };
}

describe('events: persisted log, Socket.IO rooms, replay', () => {
  let hub: Hub;
  let orgA: TOrg;
  let orgB: TOrg;
  let a: TestUser;
  let b: TestUser;
  before(async () => {
    hub = await startTestHub();
    orgA = await makeOrg(hub.ctx);
    orgB = await makeOrg(hub.ctx);
    a = await makeUser(hub, orgA, ['clerk']);
    b = await makeUser(hub, orgB, ['clerk']);
  });
  after(() => hub.close());

  it('refuses a socket without a valid token', async () => {
    const err = await connectSocket(hub, 'forged.token.here').catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.equal('UNAUTHENTICATED');
  });

  it('delivers an organization’s events to its sockets only, with increasing seq', async () => {
    const sa = await connectSocket(hub, a.token);
    const sb = await connectSocket(hub, b.token);
    await publishEvents(hub.ctx, [
      { orgId: orgA.id, type: 'delivery:status', key: 'k1', data: statusEvent(1) },
      { orgId: orgA.id, type: 'delivery:status', key: 'k2', data: statusEvent(2) },
    ]);
    const got = await sa.waitFor('delivery:status', 2);
    expect(got[1]!.seq).to.be.greaterThan(got[0]!.seq);
    await new Promise((r) => setTimeout(r, 200));
    expect(sb.received).to.have.length(0);
    sa.close();
    sb.close();
  });

  it('stores and emits nothing when the same keys are published again', async () => {
    const first = await publishEvents(hub.ctx, [
      { orgId: orgB.id, type: 'delivery:status', key: 'same', data: statusEvent(3) },
    ]);
    const again = await publishEvents(hub.ctx, [
      { orgId: orgB.id, type: 'delivery:status', key: 'same', data: statusEvent(3) },
    ]);
    expect(first).to.have.length(1);
    expect(again).to.have.length(0);
  });

  it('replays exactly what a reconnecting client missed, once', async () => {
    const s1 = await connectSocket(hub, a.token, 0);
    await new Promise((r) => setTimeout(r, 200));
    const lastSeen = Math.max(...s1.received.map((e) => e.seq));
    s1.close();
    await publishEvents(hub.ctx, [
      { orgId: orgA.id, type: 'delivery:status', key: 'missed', data: statusEvent(9) },
    ]);
    const s2 = await connectSocket(hub, a.token, lastSeen);
    const got = await s2.waitFor('delivery:status', 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(s2.received).to.have.length(1);
    expect((got[0]!.data as TDeliveryStatusEvent).deliveryId).to.equal('d9');
    s2.close();
  });

  it('serves the same log over HTTP for systems that poll', async () => {
    const r = await call(hub, a.token)(API.events.after, { query: { after: 0 } });
    const body = r.body;
    expect(body.events.length).to.be.greaterThanOrEqual(3);
    expect(body.events.every((e) => e.orgId === orgA.id)).to.equal(true);
    const later = await call(hub, a.token)(API.events.after, { query: { after: body.lastSeq } });
    expect(later.body.events).to.have.length(0);
  });

  it('emits in seq order when a later publication is stored first, and nothing that failed to store', async () => {
    const live = await connectSocket(hub, b.token);
    const row = (n: number) => ({
      orgId: orgB.id,
      type: 'delivery:status' as const,
      key: `order-${n}`,
      data: statusEvent(n),
    });
    const slow = publish(hub.ctx, {
      count: 1,
      store: async (first) => {
        await new Promise((r) => setTimeout(r, 300));
        return [
          {
            ...row(20),
            _id: 'x20',
            orgId: new Types.ObjectId(orgB.id),
            seq: first,
            at: new Date(),
          },
        ];
      },
    });
    const failed = publish(hub.ctx, {
      count: 1,
      store: () => Promise.reject(new Error('not stored')),
    });
    const fast = publishEvents(hub.ctx, [row(21)]);
    expect(await failed.catch((e: Error) => e.message)).to.equal('not stored');
    await Promise.all([slow, fast]);
    await live.waitFor('delivery:status', 2);
    await new Promise((r) => setTimeout(r, 200));
    const got = live.received.map((e) => [(e.data as TDeliveryStatusEvent).deliveryId, e.seq]);
    expect(got.map(([id]) => id)).to.deep.equal(['d20', 'd21']);
    expect(got[0]![1]).to.be.lessThan(got[1]![1] as number);
    live.close();
  });

  it('a replay the log cannot answer closes the socket: the client asks again and misses nothing', async () => {
    const org = await makeOrg(hub.ctx);
    const user = await makeUser(hub, org, ['clerk']);
    const event = (n: number) => ({
      orgId: org.id,
      type: 'delivery:status' as const,
      key: `replay-${n}`,
      data: statusEvent(n),
    });
    const missed = await publishEvents(hub.ctx, [event(1), event(2)]);
    // the database away while the client reconnects: its reads of the log fail
    let away = true;
    registerEventSource(hub.ctx, async () => {
      if (away) throw new Error('connection to the engine closed');
      return [];
    });
    const client = new EventClient(org.id, hub.url, user.token);
    try {
      await new Promise((r) => setTimeout(r, 600));
      const live = await publishEvents(hub.ctx, [event(3)]);
      await new Promise((r) => setTimeout(r, 600));
      away = false;
      await client.ready();
      const want = [...missed, ...live].map((e) => e.seq);
      for (let i = 0; i < 50 && want.some((s) => !client.bySeq.has(s)); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect([...client.bySeq.keys()].sort((x, y) => x - y)).to.deep.equal(want);
      expect(client.connects, 'connections').to.be.greaterThan(1);
    } finally {
      client.close();
    }
  });
});

import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TDeliveryStatusEvent } from '../../../server/src/contracts/events.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { publishEvents } from '../../../server/src/modules/events/publish.js';
import { api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { connectSocket } from '../../support/sockets.js';

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
    const r = await api(hub, a.token)('GET', '/api/v1/events?after=0');
    const body = r.body as unknown as { events: { seq: number; orgId: string }[]; lastSeq: number };
    expect(body.events.length).to.be.greaterThanOrEqual(3);
    expect(body.events.every((e) => e.orgId === orgA.id)).to.equal(true);
    const later = await api(hub, a.token)('GET', `/api/v1/events?after=${body.lastSeq}`);
    expect((later.body as unknown as { events: unknown[] }).events).to.have.length(0);
  });

  it('never emits nor serves an event whose delivery was not stored, and reads move past it', async () => {
    const poll = api(hub, b.token);
    const before = (await poll('GET', '/api/v1/events?after=0').then((r) => r.body)) as unknown as {
      lastSeq: number;
    };
    const live = await connectSocket(hub, b.token);
    // the dispatch's deliveries failed to store while its events were being written
    const failed = publishEvents(
      hub.ctx,
      [
        {
          orgId: orgB.id,
          type: 'delivery:status',
          key: 'orphan',
          data: statusEvent(10),
          ref: new Types.ObjectId(),
        },
      ],
      Promise.reject(new Error('deliveries not stored')),
    );
    expect(await failed.catch((e: Error) => e.message)).to.equal('deliveries not stored');
    await publishEvents(hub.ctx, [
      { orgId: orgB.id, type: 'delivery:status', key: 'after-orphan', data: statusEvent(11) },
    ]);
    const got = await live.waitFor('delivery:status', 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(live.received.map((e) => (e.data as TDeliveryStatusEvent).deliveryId)).to.deep.equal([
      'd11',
    ]);
    live.close();

    // a page holding only the orphan row is empty but moves on; the next page has the event
    const page = (await poll('GET', `/api/v1/events?after=${before.lastSeq}&limit=1`).then(
      (r) => r.body,
    )) as unknown as { events: unknown[]; lastSeq: number };
    expect(page.events).to.have.length(0);
    expect(page.lastSeq).to.be.greaterThan(before.lastSeq);
    const next = (await poll('GET', `/api/v1/events?after=${page.lastSeq}`).then(
      (r) => r.body,
    )) as unknown as { events: { seq: number }[] };
    expect(next.events.map((e) => e.seq)).to.deep.equal([got[0]!.seq]);

    const replayed = await connectSocket(hub, b.token, before.lastSeq);
    await replayed.waitFor('delivery:status', 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(replayed.received.map((e) => e.seq)).to.deep.equal([got[0]!.seq]);
    replayed.close();
  });
});

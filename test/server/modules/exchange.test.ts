import { expect } from 'chai';
import type {
  TAnyEvent,
  TDeliveryStatusEvent,
  TIncomingEvent,
} from '../../../server/src/contracts/events.js';
import { Events } from '../../../server/src/modules/events/event.model.js';
import { addVersion } from '../../../server/src/modules/documents/add-version.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../../support/factories.js';
import { API, call, ofType } from '../../support/call.js';
import { startTestHub } from '../../support/hub.js';
import { connectSocket } from '../../support/sockets.js';
import { Types } from 'mongoose';

describe('exchange: dispatch, deliveries, receipts', () => {
  let hub: Hub;
  let sender: TOrg;
  let recipients: TOrg[];
  let clerk: TestUser;
  let rclerks: TestUser[];
  before(async () => {
    hub = await startTestHub();
    sender = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    recipients = [
      await makeOrg(hub.ctx, { name: 'UBND huyện Hoằng Hóa', level: 'district' }),
      await makeOrg(hub.ctx, { name: 'UBND xã Hoằng Đồng' }),
    ];
    clerk = await makeUser(hub, sender, ['clerk']);
    rclerks = await Promise.all(recipients.map((r) => makeUser(hub, r, ['clerk'])));
  });
  after(() => hub.close());

  async function send(key?: string) {
    const doc = await makeDocument(hub, clerk);
    const res = await call(hub, clerk.token)(
      API.exchange.dispatch,
      {
        body: {
          documentId: doc.id,
          recipients: recipients.map((r) => r.id),
          dueDate: '2026-12-05',
        },
      },
      key ? { 'idempotency-key': key } : {},
    );

    return { doc, res };
  }

  it('dispatches to every recipient, notifies them live and returns the receipts', async () => {
    const sockets = await Promise.all(rclerks.map((u) => connectSocket(hub, u.token)));
    const { res } = await send();
    expect(res.status).to.equal(201);
    const dispatch = res.body;
    expect(dispatch.deliveries).to.have.length(2);
    expect(dispatch.summary).to.deep.equal({ '01': 2 });
    // brief: the sender and the recipients are told the delivery, its receipts are read on demand
    expect(dispatch.deliveries.every((d) => d.status === '01' && !('history' in d))).to.equal(true);
    for (const [i, s] of sockets.entries()) {
      const [e] = await s.waitFor('document:incoming', 1);
      const told = (e!.data as TIncomingEvent).delivery;
      expect(told.subject).to.contain('Hoằng Hóa');
      expect(told).to.not.have.property('history');
      expect(dispatch.deliveries.map((d) => d.id)).to.include(told.id);
      s.close();
      // the delivery holds its arrival events: no row of their own in the log, and polling
      // reads the event back from the delivery exactly as it was sent live
      expect(await Events(hub.ctx.db.conn).countDocuments({ key: `incoming:${told.id}` })).to.equal(
        0,
      );
      const held = await hub.ctx.db.conn
        .collection('deliveries')
        .findOne({ _id: Types.ObjectId.createFromHexString(told.id) });
      expect(held).to.include({ incomingSeq: e!.seq });
      // its 01 receipt is stored detached (signature only); /receipts rebuilds the same JWS below
      expect(held!.history[0].receipt).to.have.keys(['keyId', 'sig', 'versionSha256']);
      const polled = await call(hub, rclerks[i]!.token)(API.events.after, {
        query: { after: e!.seq - 1 },
      });
      const [again] = polled.body.events;
      expect(again).to.deep.equal(e);
    }
    const senderLog = await call(hub, clerk.token)(API.events.after, { query: { after: 0 } });
    const arrivals = ofType(senderLog.body.events, 'delivery:status').filter(
      (x) => x.data.dispatchId === dispatch.id,
    );
    expect(arrivals.map((x) => x.data.code)).to.deep.equal(['01', '01']);
    for (const x of arrivals) {
      const [r] = (
        await call(hub, clerk.token)(API.exchange.receipts, { params: { id: x.data.deliveryId } })
      ).body;
      expect(x.data.receipt.jws).to.equal(r!.jws);
    }
    // the inbox reads its organization's index newest first, skipping withdrawn copies
    const plan = await hub.ctx.db.conn
      .collection('deliveries')
      .find({
        recipientOrgId: Types.ObjectId.createFromHexString(recipients[0]!.id),
        withdrawn: false,
      })
      .sort({ _id: -1 })
      .limit(20)
      .explain();
    expect(JSON.stringify(plan)).to.contain('"indexName":"recipient_id"');
    const inbox = await call(hub, rclerks[0]!.token)(API.exchange.inbox, {
      query: { q: 'hoang hoa' },
    });
    const [listed] = inbox.body.items;
    expect(inbox.body.items).to.have.length(1);
    const receipts = await call(hub, rclerks[0]!.token)(API.exchange.receipts, {
      params: listed!,
    });
    const items = receipts.body;
    expect(items.map((r) => [r.code, r.valid])).to.deep.equal([['01', true]]);
  });

  it('repeating a dispatch with the same Idempotency-Key creates nothing', async () => {
    const doc = await makeDocument(hub, clerk);
    const body = { documentId: doc.id, recipients: recipients.map((r) => r.id) };
    const call = api(hub, clerk.token);
    const [a, b] = await Promise.all([
      call('POST', '/api/v1/dispatches', body, { 'idempotency-key': 'gui-lan-1-abc' }),
      call('POST', '/api/v1/dispatches', body, { 'idempotency-key': 'gui-lan-1-abc' }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 201]);
    expect(a.body.id).to.equal(b.body.id);
    const count = await hub.ctx.db.conn.collection('deliveries').countDocuments({
      documentId: Types.ObjectId.createFromHexString(doc.id),
    });
    expect(count).to.equal(2);
    const other = await call(
      'POST',
      '/api/v1/dispatches',
      { ...body, recipients: [recipients[0]!.id] },
      { 'idempotency-key': 'gui-lan-1-abc' },
    );
    expect(other.status).to.equal(409);
  });

  it('follows the edXML lifecycle, refuses illegal transitions with 409, and signs every receipt', async () => {
    const senderSocket = await connectSocket(hub, clerk.token);
    const { res } = await send();
    const delivery = res.body.deliveries.find((d) => d.recipientOrgId === recipients[0]!.id)!;
    const rc = api(hub, rclerks[0]!.token);
    expect(
      (await rc('POST', `/api/v1/deliveries/${delivery.id}/status`, { code: '06' })).status,
    ).to.equal(409);
    expect(
      (await rc('POST', `/api/v1/deliveries/${delivery.id}/status`, { code: '03' })).status,
    ).to.equal(200);
    expect(
      (
        await rc('POST', `/api/v1/deliveries/${delivery.id}/status`, {
          code: '02',
          reason: 'sai nơi nhận',
        })
      ).status,
    ).to.equal(409);
    expect(
      (await rc('POST', `/api/v1/deliveries/${delivery.id}/status`, { code: '05' })).status,
    ).to.equal(200);
    const done = await rc('POST', `/api/v1/deliveries/${delivery.id}/status`, { code: '06' });
    expect(done.body.status).to.equal('06');
    const events = await senderSocket.waitFor('delivery:status', 2 + 3);
    const mine = events
      .map((e) => e.data as TDeliveryStatusEvent)
      .filter((e) => e.deliveryId === delivery.id);
    expect(mine.map((e) => e.code)).to.deep.equal(['01', '03', '05', '06']);
    const receipts = await call(hub, clerk.token)(API.exchange.receipts, { params: delivery });
    const list = receipts.body;
    expect(list.map((r) => r.code)).to.deep.equal(['01', '03', '05', '06']);
    expect(list.every((r) => r.valid && r.claims?.signerOrgId === recipients[0]!.id)).to.equal(
      true,
    );
    senderSocket.close();
  });

  it('requires a reason to reject and hides deliveries from other organizations', async () => {
    const { res } = await send();
    const d = res.body.deliveries[1]!;
    const rc = api(hub, rclerks[1]!.token);
    expect((await rc('POST', `/api/v1/deliveries/${d.id}/status`, { code: '02' })).status).to.equal(
      400,
    );
    const stranger = await makeUser(hub, await makeOrg(hub.ctx), ['clerk']);
    expect((await api(hub, stranger.token)('GET', `/api/v1/deliveries/${d.id}`)).status).to.equal(
      404,
    );
    expect(
      (await api(hub, stranger.token)('POST', `/api/v1/deliveries/${d.id}/status`, { code: '03' }))
        .status,
    ).to.equal(404);
    expect(
      (
        await api(hub, rclerks[0]!.token)('POST', `/api/v1/deliveries/${d.id}/status`, {
          code: '03',
        })
      ).status,
    ).to.equal(404);
  });

  it('recalls a dispatch; a recipient agreeing loses the copy, one refusing keeps it', async () => {
    const sockets = await Promise.all(rclerks.map((u) => connectSocket(hub, u.token)));
    const { res } = await send();
    const dispatch = res.body;
    const recall = await api(hub, clerk.token)('POST', `/api/v1/dispatches/${dispatch.id}/recall`, {
      reason: 'Ban hành nhầm',
    });
    expect(recall.status).to.equal(200);
    for (const s of sockets) await s.waitFor('dispatch:recalled', 1);
    const [d0, d1] = recipients.map((r) =>
      dispatch.deliveries!.find((d) => d.recipientOrgId === r.id)!,
    );
    expect(
      (
        await api(hub, rclerks[0]!.token)('POST', `/api/v1/deliveries/${d0!.id}/status`, {
          code: '15',
        })
      ).status,
    ).to.equal(200);
    expect(
      (
        await api(hub, rclerks[1]!.token)('POST', `/api/v1/deliveries/${d1!.id}/status`, {
          code: '16',
          reason: 'Đã xử lý xong',
        })
      ).status,
    ).to.equal(200);
    expect(
      (await api(hub, rclerks[0]!.token)('GET', `/api/v1/deliveries/${d0!.id}`)).status,
    ).to.equal(404);
    expect(
      (await api(hub, rclerks[1]!.token)('GET', `/api/v1/deliveries/${d1!.id}`)).status,
    ).to.equal(200);
    sockets.forEach((s) => s.close());
  });

  it('pages through the log and the arrival events deliveries hold, in seq order, as one page would', async () => {
    const log = (after: number, limit: number) =>
      call(hub, clerk.token)(API.events.after, { query: { after, limit } });
    const whole = (await log(0, 1000)).body;
    // the sender's log mixes both sources: arrivals (01) from deliveries, answers from its rows
    const codes = new Set(ofType(whole.events, 'delivery:status').map((e) => e.data.code));
    expect(codes.has('01') && codes.has('03')).to.equal(true);
    const walked: TAnyEvent[] = [];
    for (let after = 0, n = 0; n < 500; n++) {
      const page = (await log(after, 2)).body;
      if (page.events.length === 0) break;
      walked.push(...page.events);
      after = page.lastSeq;
    }
    expect(walked).to.deep.equal(whole.events);
    const seqs = walked.map((e) => e.seq);
    expect(seqs).to.deep.equal([...new Set(seqs)].sort((x, y) => x - y));
  });

  it('an agreed update keeps the arrival receipt valid: it attests the version first sent', async () => {
    const doc = await makeDocument(hub, clerk);
    const sent = (
      await call(hub, clerk.token)(API.exchange.dispatch, {
        body: { documentId: doc.id, recipients: [recipients[0]!.id] },
      })
    ).body;
    const [delivery] = sent.deliveries;
    const { version } = await addVersion(hub.ctx, doc.id, await tinyPdf('Ban cap nhat'), {
      fileName: 'ban-moi.pdf',
      reason: 'replacement',
      createdBy: clerk.id,
    });
    const update = await api(hub, clerk.token)('POST', `/api/v1/dispatches/${sent.id}/update`, {
      versionId: String(version._id),
      reason: 'Sửa lỗi chính tả',
      replace: false,
    });
    expect(update.status, JSON.stringify(update.body)).to.equal(200);
    const agreed = await api(hub, rclerks[0]!.token)(
      'POST',
      `/api/v1/deliveries/${delivery!.id}/status`,
      { code: '15' },
    );
    expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);
    const receipts = (await call(hub, clerk.token)(API.exchange.receipts, { params: delivery! }))
      .body;
    // arrival, the sender's request (13), the recipient's agreement
    expect(receipts.map((r) => [r.code, r.valid])).to.deep.equal([
      ['01', true],
      ['13', true],
      ['15', true],
    ]);
    const first = doc.versions[0]!.sha256;
    expect(receipts[0]!.claims?.versionSha256).to.equal(first);
    expect(version.sha256).to.not.equal(first);
  });
});

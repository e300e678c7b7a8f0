/**
 * Issue 6's end-to-end story over real HTTP, the real engine and real socket.io clients:
 * upload → leader signs → clerk seals → dispatch to three agencies and one enterprise → live
 * notifications → acceptances → receipts to the sender → a reconnecting recipient gets exactly
 * what it missed → a repeated dispatch with the same Idempotency-Key creates nothing.
 */
import { expect } from 'chai';
import type { TDocument } from '../../server/src/contracts/documents.js';
import type { TDeliveryStatusEvent, TIncomingEvent } from '../../server/src/contracts/events.js';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import {
  TEST_PASSWORD,
  api,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../support/factories.js';
import { startTestHub } from '../support/hub.js';
import { connectSocket, type TestSocket } from '../support/sockets.js';
import { Types } from 'mongoose';
import { API, call } from '../support/call.js';

describe('e2e: sign, seal, dispatch, receipts, reconnect, idempotency', function () {
  this.timeout(120_000);
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  it('runs the whole story', async () => {
    const province = await makeOrg(hub.ctx, {
      code: '000.00.00.H56',
      name: 'UBND tỉnh Thanh Hóa',
      level: 'province',
    });
    const agencies: TOrg[] = [
      await makeOrg(hub.ctx, {
        name: 'Sở Thông tin và Truyền thông',
        level: 'department',
        parentId: province.id,
      }),
      await makeOrg(hub.ctx, {
        name: 'UBND huyện Hoằng Hóa',
        level: 'district',
        parentId: province.id,
      }),
      await makeOrg(hub.ctx, {
        name: 'UBND huyện Yên Định',
        level: 'district',
        parentId: province.id,
      }),
    ];
    const enterprise = await makeOrg(hub.ctx, {
      code: '2801234567',
      name: 'Công ty Quốc Đại Craft',
      kind: 'enterprise',
      level: 'unit',
    });
    const admin = await makeUser(hub, province, ['org_admin']);
    const leader = await makeUser(hub, province, ['signer'], 'Nguyễn Văn Thi');
    const clerk = await makeUser(hub, province, ['clerk'], 'Lê Thị Văn Thư');
    const receivers: TestUser[] = [
      ...(await Promise.all(agencies.map((a) => makeUser(hub, a, ['clerk'])))),
      await makeUser(hub, enterprise, ['enterprise_user']),
    ];

    // certificates: the leader's personal one, the province's seal
    const personal = (
      await call(hub, admin.token)(API.certificates.issuePersonal, { body: { userId: leader.id } })
    ).body;
    const seal = (await call(hub, admin.token)(API.certificates.issueSeal, { body: {} })).body;
    expect(personal.id).to.be.a('string');
    expect(seal.id).to.be.a('string');

    // upload
    const form = new FormData();
    form.append(
      'meta',
      JSON.stringify({
        type: 'Công văn',
        notation: 'UBND-VP',
        issuePlace: 'Thanh Hóa',
        issueDate: '2026-11-28',
        subject: 'V/v đẩy mạnh liên thông văn bản điện tử',
        urgency: 'thuong_khan',
        signer: { fullName: 'Nguyễn Văn Thi', position: 'Chủ tịch', competence: 'TM.' },
        dueDate: '2026-12-10',
      }),
    );
    form.append('file', new Blob([await tinyPdf()]), 'cong-van.pdf');
    const up = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk.token}` },
      body: form,
    });
    expect(up.status).to.equal(201);
    const doc = (await up.json()) as TDocument;

    // the leader signs, then the clerk applies the seal
    const signed = await api(hub, leader.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
      certificateId: personal.id,
      kind: 'personal',
      level: 'B-T',
      confirmPassword: TEST_PASSWORD,
    });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(201);
    const sealed = await call(hub, clerk.token)(API.signing.sign, {
      params: { id: doc.id },
      body: {
        certificateId: seal.id,
        kind: 'seal',
        level: 'B-T',
        confirmPassword: TEST_PASSWORD,
      },
    });
    expect(sealed.status, JSON.stringify(sealed.body)).to.equal(201);
    expect(sealed.body.versions).to.have.length(3);

    // sockets: the sender, three connected recipients, one that will be away during the dispatch
    const senderSocket = await connectSocket(hub, clerk.token);
    const online: TestSocket[] = await Promise.all(
      receivers.slice(0, 3).map((r) => connectSocket(hub, r.token)),
    );
    const away = await connectSocket(hub, receivers[3]!.token, 0);
    const lastSeq = await new Promise<number>((resolve) => {
      away.once('replay:done', (i) => resolve(i.lastSeq));
      setTimeout(() => resolve(0), 500);
    });
    away.close();

    // dispatch
    const body = { documentId: doc.id, recipients: [...agencies, enterprise].map((o) => o.id) };
    const sent = await call(hub, clerk.token)(
      API.exchange.dispatch,
      { body: body },
      {
        'idempotency-key': 'e2e-dispatch-0001',
      },
    );
    expect(sent.status).to.equal(201);
    const dispatch = sent.body;
    expect(dispatch.deliveries).to.have.length(4);
    for (const s of online) {
      const [e] = await s.waitFor('document:incoming', 1);
      expect((e!.data as TIncomingEvent).delivery.subject).to.equal(
        'V/v đẩy mạnh liên thông văn bản điện tử',
      );
    }

    // the away recipient reconnects with its last sequence: the missed event, exactly once
    const back = await connectSocket(hub, receivers[3]!.token, lastSeq);
    await back.waitFor('document:incoming', 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(back.received.filter((e) => e.type === 'document:incoming')).to.have.length(1);

    // every recipient accepts; the sender gets four 03 receipts live
    for (const r of receivers) {
      const d = dispatch.deliveries!.find((x) => x.recipientOrgId === r.orgId)!;
      const res = await api(hub, r.token)('POST', `/api/v1/deliveries/${d.id}/status`, {
        code: '03',
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
    const statuses = await senderSocket.waitFor('delivery:status', 8);
    const accepted = statuses
      .map((e) => e.data as TDeliveryStatusEvent)
      .filter((e) => e.code === '03');
    expect(accepted).to.have.length(4);
    expect(new Set(accepted.map((e) => e.recipientOrgId))).to.deep.equal(new Set(body.recipients));

    // the same dispatch again with the same key: the first result, nothing new
    const again = await api(hub, clerk.token)('POST', '/api/v1/dispatches', body, {
      'idempotency-key': 'e2e-dispatch-0001',
    });
    expect(again.status).to.equal(200);
    expect(again.body.id).to.equal(dispatch.id);
    expect(
      await hub.ctx.db.conn.collection('dispatches').countDocuments({
        orgId: dispatch.deliveries![0]!.senderOrgId
          ? Types.ObjectId.createFromHexString(province.id)
          : null,
      }),
    ).to.equal(1);
    await new Promise((r) => setTimeout(r, 300));
    for (const s of online)
      expect(s.received.filter((e) => e.type === 'document:incoming')).to.have.length(1);
    [senderSocket, back, ...online].forEach((s) => s.close());
  });
});

/**
 * What a recipient organization may read of a document sent to it (security issue #26): after a
 * recall (13) nothing of it — metadata, version bytes, edXML attachments, validation, status
 * messages other than the recall — answered 404 like a document it never received; before, only
 * the versions delivered to it and no list of the other recipients. The sender and auditors keep
 * the whole document.
 */
import { expect } from 'chai';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { addVersion } from '../../server/src/modules/documents/add-version.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../support/factories.js';
import { startTestHub } from '../support/hub.js';
import { API, call } from '../support/call.js';

describe('security: what recipients may read (recall, delivered versions, sharedWith)', function () {
  this.timeout(60_000);
  let hub: Hub;
  let sender: TOrg;
  let recipients: TOrg[];
  let clerk: TestUser;
  let rclerks: TestUser[];
  let auditor: TestUser;

  before(async () => {
    hub = await startTestHub();
    sender = await makeOrg(hub.ctx, { name: 'Sở Nội vụ Thanh Hóa', level: 'department' });
    recipients = [
      await makeOrg(hub.ctx, { name: 'UBND huyện Quảng Xương', level: 'district' }),
      await makeOrg(hub.ctx, { name: 'UBND huyện Tĩnh Gia', level: 'district' }),
    ];
    clerk = await makeUser(hub, sender, ['clerk']);
    rclerks = await Promise.all(recipients.map((r) => makeUser(hub, r, ['clerk'])));
    auditor = await makeUser(hub, await makeOrg(hub.ctx, { name: 'Thanh tra tỉnh' }), ['auditor']);
  });
  after(() => hub.close());

  /** A new document of the sender, dispatched to both recipients. */
  async function dispatched(subject: string) {
    const doc = await makeDocument(hub, clerk, { subject });
    const res = await call(hub, clerk.token)(API.exchange.dispatch, {
      body: {
        documentId: doc.id,
        recipients: recipients.map((r) => r.id),
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const dispatch = res.body;
    const delivery = (org: TOrg) => dispatch.deliveries.find((d) => d.recipientOrgId === org.id)!;

    return { doc, dispatch, d0: delivery(recipients[0]!), d1: delivery(recipients[1]!) };
  }

  /** Status of a GET; the bytes' length for a file. */
  async function status(user: TestUser, path: string): Promise<number> {
    const res = await fetch(`${hub.url}${path}`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    await res.arrayBuffer();

    return res.status;
  }

  /** Every route that serves the document or its bytes, for one version. */
  const documentPaths = (id: string, versionId: string) => [
    `/api/v1/documents/${id}`,
    `/api/v1/documents/${id}/versions/${versionId}/file`,
    `/api/v1/documents/${id}/edxml-attachments`,
    `/api/v1/documents/${id}/validation`,
    `/api/v1/documents/${id}/validation?versionId=${versionId}`,
  ];

  async function statuses(user: TestUser, paths: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const p of paths) out[p] = await status(user, p);

    return out;
  }

  const all = (paths: string[], code: number) => Object.fromEntries(paths.map((p) => [p, code]));

  it('a recall (13) closes the document to the recipient: every route 404, the sender reads on', async () => {
    const { doc, dispatch, d0, d1 } = await dispatched('Về việc tuyển dụng công chức năm 2026');
    const paths = documentPaths(doc.id, doc.currentVersionId);
    expect(await statuses(rclerks[0]!, paths)).to.deep.equal(all(paths, 200));
    const messages = `/api/v1/deliveries/${d0.id}/status-messages`;
    expect(await status(rclerks[0]!, `${messages}?code=01`)).to.equal(200);

    const recall = await api(hub, clerk.token)('POST', `/api/v1/dispatches/${dispatch.id}/recall`, {
      reason: 'Ban hành sai thẩm quyền',
    });
    expect(recall.status, JSON.stringify(recall.body)).to.equal(200);
    // requested, not answered yet: closed already
    expect(await statuses(rclerks[0]!, paths), 'recall requested').to.deep.equal(all(paths, 404));
    // the same answer as for an id that was never sent to it: no existence leak
    const never = await api(hub, rclerks[0]!.token)('GET', `/api/v1/documents/${doc.id}`);
    const stranger = await api(hub, rclerks[0]!.token)(
      'GET',
      `/api/v1/documents/${(await makeDocument(hub, clerk)).id}`,
    );
    expect([never.status, never.body.code, never.body.detail]).to.deep.equal([
      stranger.status,
      stranger.body.code,
      stranger.body.detail,
    ]);
    // of the delivery it keeps the recall, to answer it, and nothing of what came before
    expect(await status(rclerks[0]!, `${messages}?code=13`)).to.equal(200);
    expect(await status(rclerks[0]!, `${messages}?code=01`)).to.equal(404);
    const seen = (
      await call(hub, rclerks[0]!.token)(API.exchange.delivery, { params: { id: d0.id } })
    ).body;
    expect(seen.history.map((h) => h.code)).to.deep.equal(['13']);
    expect(seen.change).to.include({ kind: 'recall', state: 'requested' });

    // one recipient agrees (the copy is withdrawn), the other refuses: neither reads it again
    const answer = async (u: TestUser, id: string, body: object) =>
      (await api(hub, u.token)('POST', `/api/v1/deliveries/${id}/status`, body)).status;
    expect(await answer(rclerks[0]!, d0.id, { code: '15' })).to.equal(200);
    expect(await answer(rclerks[1]!, d1.id, { code: '16', reason: 'Đã triển khai' })).to.equal(200);
    expect(await statuses(rclerks[0]!, paths), 'agreed').to.deep.equal(all(paths, 404));
    expect(await statuses(rclerks[1]!, paths), 'refused').to.deep.equal(all(paths, 404));
    const refused = (
      await call(hub, rclerks[1]!.token)(API.exchange.delivery, { params: { id: d1.id } })
    ).body;
    expect(refused.history.map((h) => h.code)).to.deep.equal(['13', '16']);

    // the sender and an auditor still read everything, history included
    expect(await statuses(clerk, paths)).to.deep.equal(all(paths, 200));
    expect(await statuses(auditor, paths.slice(0, 2))).to.deep.equal(all(paths.slice(0, 2), 200));
    const full = (await call(hub, clerk.token)(API.exchange.delivery, { params: { id: d1.id } }))
      .body;
    expect(full.history.map((h) => h.code)).to.deep.equal(['01', '13', '16']);
  });

  it('a recipient sees only the versions delivered to it and no sharedWith; owner and auditor see all', async () => {
    const { doc, dispatch } = await dispatched('Về việc bổ sung biên chế năm 2027');
    const v1 = doc.currentVersionId;
    // a second version the sender made after the dispatch and never sent
    const { version } = await addVersion(
      hub.ctx,
      doc.id,
      await tinyPdf('Du thao sua doi, chua gui'),
      { fileName: 'du-thao-2.pdf', reason: 'upload', createdBy: clerk.id, basedOnVersionId: v1 },
    );
    const v2 = String(version._id);

    const mine = (await call(hub, rclerks[0]!.token)(API.documents.get, { params: { id: doc.id } }))
      .body;
    expect(mine.versions.map((v) => [v.id, v.index])).to.deep.equal([[v1, 1]]);
    expect(mine.currentVersionId).to.equal(v1);
    expect(mine).to.not.have.property('sharedWith');
    expect(JSON.stringify(mine)).to.not.contain(recipients[1]!.id);
    expect(mine.view).to.equal('recipient');
    for (const p of [
      `/api/v1/documents/${doc.id}/versions/${v2}/file`,
      `/api/v1/documents/${doc.id}/validation?versionId=${v2}`,
    ])
      expect(await status(rclerks[0]!, p), p).to.equal(404);
    expect(await status(rclerks[0]!, `/api/v1/documents/${doc.id}/versions/${v1}/file`)).to.equal(
      200,
    );

    for (const [who, view] of [
      [clerk, 'owner'],
      [auditor, 'auditor'],
    ] as const) {
      const whole = (await call(hub, who.token)(API.documents.get, { params: { id: doc.id } }))
        .body;
      expect(whole.view).to.equal(view);
      expect(whole.versions.map((v) => v.id)).to.deep.equal([v1, v2]);
      expect([...(whole.sharedWith ?? [])].sort()).to.deep.equal(
        recipients.map((r) => r.id).sort(),
      );
      expect(await status(who, `/api/v1/documents/${doc.id}/versions/${v2}/file`)).to.equal(200);
    }

    // the sender offers v2 as an update: the recipient reads it to answer; refused, it is gone
    const update = await api(hub, clerk.token)('POST', `/api/v1/dispatches/${dispatch.id}/update`, {
      versionId: v2,
      reason: 'Bổ sung số liệu',
    });
    expect(update.status, JSON.stringify(update.body)).to.equal(200);
    const offered = (
      await call(hub, rclerks[0]!.token)(API.documents.get, { params: { id: doc.id } })
    ).body;
    expect(offered.versions.map((v) => v.id)).to.deep.equal([v1, v2]);
    expect(offered.currentVersionId).to.equal(v1);
    const d0 = dispatch.deliveries.find((d) => d.recipientOrgId === recipients[0]!.id)!;
    const refuse = await api(hub, rclerks[0]!.token)('POST', `/api/v1/deliveries/${d0.id}/status`, {
      code: '16',
      reason: 'Giữ bản đã nhận',
    });
    expect(refuse.status).to.equal(200);
    expect(await status(rclerks[0]!, `/api/v1/documents/${doc.id}/versions/${v2}/file`)).to.equal(
      404,
    );
    // the other recipient agrees: v2 becomes its current version, v1 stays delivered to it
    const d1 = dispatch.deliveries.find((d) => d.recipientOrgId === recipients[1]!.id)!;
    const agree = await api(hub, rclerks[1]!.token)('POST', `/api/v1/deliveries/${d1.id}/status`, {
      code: '15',
    });
    expect(agree.status).to.equal(200);
    const moved = (
      await call(hub, rclerks[1]!.token)(API.documents.get, { params: { id: doc.id } })
    ).body;
    expect(moved.versions.map((v) => v.id)).to.deep.equal([v1, v2]);
    expect(moved.currentVersionId).to.equal(v2);
  });
});

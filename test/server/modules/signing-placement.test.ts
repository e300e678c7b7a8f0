/**
 * The hub's placement (issue #19): GET /documents/:id/signature-placement proposes the Decree 30
 * position or checks the caller's; POST /signatures without a box places it with the same engine;
 * a tiny page or a box over text is a 422 naming the page and changes nothing; roles and
 * organizations are enforced.
 */
import { expect } from 'chai';
import { PDFDocument } from 'pdf-lib';
import type { TDocument } from '../../../server/src/contracts/documents.js';
import type { Hub } from '../../../server/src/hub.js';
import { createDocument } from '../../../server/src/modules/documents/create-document.js';
import { ZDocumentMeta } from '../../../server/src/contracts/documents.js';
import { corpusBytes } from '../../support/corpus.js';
import { api, makeOrg, makeUser, TEST_PASSWORD, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { blueish, changed, render, words } from '../pades/render.js';
import { signaturePng } from '../pades/png.js';
import { API, call } from '../../support/call.js';

describe('signing placement on the hub (issue #19)', function () {
  this.timeout(120_000);
  let hub: Hub;
  let leader: TestUser;
  let auditor: TestUser;
  let stranger: TestUser;
  let certificateId: string;

  before(async () => {
    hub = await startTestHub();
    const org = await makeOrg(hub.ctx, { name: 'Cục Chuyển đổi số' });
    const other = await makeOrg(hub.ctx, { name: 'Sở Tài chính' });
    const admin = await makeUser(hub, org, ['org_admin']);
    leader = await makeUser(hub, org, ['signer'], 'Trần Thị Bình');
    auditor = await makeUser(hub, org, ['auditor']);
    stranger = await makeUser(hub, other, ['signer']);
    const c = await api(hub, admin.token)('POST', '/api/v1/certificates/personal', {
      userId: leader.id,
    });
    expect(c.status, JSON.stringify(c.body)).to.equal(201);
    certificateId = String(c.body.id);
  });
  after(() => hub.close());

  async function doc(bytes: Uint8Array): Promise<TDocument> {
    const meta = ZDocumentMeta.parse({
      type: 'Công văn',
      notation: 'CĐS-VP',
      issuePlace: 'Hà Nội',
      issueDate: '2026-01-05',
      subject: 'V/v triển khai ký số',
      signer: { fullName: 'Trần Thị Bình', position: 'Phó Cục trưởng' },
    });
    return createDocument(
      hub.ctx,
      { kind: 'user', id: leader.id, orgId: leader.orgId, roles: leader.roles, name: 'Văn thư' },
      meta,
      { bytes, originalName: 'cong-van.pdf' },
    );
  }

  const placement = (user: TestUser, d: TDocument, q: string) =>
    api(hub, user.token)('GET', `/api/v1/documents/${d.id}/signature-placement?${q}`);

  it('proposes the gap of the signer block; signing without a box puts the signature there', async () => {
    const letter = await corpusBytes('decree30-word');
    const d = await doc(letter);
    const r = await call(hub, leader.token)(API.signing.placement, {
      params: d,
      query: { mode: 'signer', aspect: 2.4 },
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const p = r.body;
    expect(p).to.include({ page: 1, pageCount: 1, how: 'signer-block' });
    const ws = words(letter, 1);
    const title = ws.filter((w) => w.text === 'PHÓ').pop()!;
    const name = ws.filter((w) => w.text === 'Trần').pop()!;
    // reader's frame (bottom-left origin) against poppler's top-left words
    expect(p.pageHeight - (p.y + p.height)).to.be.at.least(title.y2);
    expect(p.pageHeight - p.y).to.be.at.most(name.y1);

    const signed = await call(hub, leader.token)(API.signing.sign, {
      params: { id: d.id },
      body: {
        certificateId,
        kind: 'personal',
        level: 'B-B',
        confirmPassword: TEST_PASSWORD,
        appearance: { mode: 'signer', image: signaturePng().toString('base64') },
      },
    });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(201);
    const after = signed.body;
    const file = await fetch(
      `${hub.url}/api/v1/documents/${d.id}/versions/${after.currentVersionId}/file`,
      { headers: { authorization: `Bearer ${leader.token}` } },
    );
    const ink = changed(
      render(letter, 1),
      render(new Uint8Array(await file.arrayBuffer()), 1),
      blueish,
    )!;
    expect(ink.y1).to.be.at.least(title.y2);
    expect(ink.y2).to.be.at.most(name.y1);
  });

  it('checks a position: inside and clear passes, over text or off the page is 422 naming the page', async () => {
    const d = await doc(await corpusBytes('decree30-word'));
    const ok = await placement(
      leader,
      d,
      'mode=signer&aspect=2.4&page=1&x=380&y=120&width=150&height=60',
    );
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.include({ how: 'explicit', x: 380, y: 120 });
    const over = await placement(leader, d, 'mode=signer&page=1&x=85&y=650&width=200&height=40');
    expect(over.status).to.equal(422);
    expect(String(over.body.detail)).to.include('trang 1').and.include('che mất');
    const off = await placement(leader, d, 'mode=signer&page=1&x=500&y=10&width=200&height=40');
    expect(off.status).to.equal(422);
    expect(String(off.body.detail)).to.include('ngoài trang 1');
    const half = await placement(leader, d, 'mode=signer&x=10');
    expect(half.status).to.equal(400);
  });

  it('a 4×4 pt page: 422 naming the page and its size, and signing changes nothing', async () => {
    const tiny = await PDFDocument.create();
    tiny.addPage([4, 4]);
    const d = await doc(await tiny.save());
    const r = await placement(leader, d, 'mode=signer&aspect=2.4');
    expect(r.status).to.equal(422);
    expect(String(r.body.detail)).to.include('Trang 1 (4×4 pt)');
    const s = await api(hub, leader.token)('POST', `/api/v1/documents/${d.id}/signatures`, {
      certificateId,
      kind: 'personal',
      level: 'B-B',
      confirmPassword: TEST_PASSWORD,
      appearance: { mode: 'signer', image: signaturePng().toString('base64') },
    });
    expect(s.status).to.equal(422);
    const now = (await call(hub, leader.token)(API.documents.get, { params: { id: d.id } })).body;
    expect(now.versions).to.have.length(1);
  });

  it('authorizes by role and organization', async () => {
    const d = await doc(await corpusBytes('decree30-word'));
    expect((await placement(auditor, d, 'mode=signer')).status).to.equal(403);
    expect((await placement(stranger, d, 'mode=signer')).status).to.equal(404);
    const anon = await fetch(`${hub.url}/api/v1/documents/${d.id}/signature-placement?mode=signer`);
    expect(anon.status).to.equal(401);
  });
});

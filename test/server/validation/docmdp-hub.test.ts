/**
 * Issue #18, item 5, through the hub: a document certified with DocMDP P=1 is refused by
 * POST /api/v1/documents/:id/signatures with a 4xx problem naming PDF_CERTIFIED_NO_CHANGES, and
 * no version is added.
 */
import { expect } from 'chai';
import type { TDocument, TDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { Hub } from '../../../server/src/hub.js';
import { TEST_PASSWORD, api, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as f from './fixtures.js';
import { API, call } from '../../support/call.js';

const META: Partial<TDocumentMeta> = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-01-05',
  subject: 'V/v văn bản đã chứng nhận',
  signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
};

describe('hub: signing a DocMDP P=1 certified document is refused', function () {
  this.timeout(120_000);
  let hub: Hub;
  let pki: ValidationPki;
  before(async () => {
    hub = await startTestHub();
    pki = createValidationPki();
  });
  after(async () => {
    await hub.close();
    pki.cleanup();
  });

  it('POST /documents/:id/signatures → 422 problem, reason PDF_CERTIFIED_NO_CHANGES, no new version', async () => {
    const org = await makeOrg(hub.ctx, { name: 'Văn phòng UBND tỉnh' });
    const admin = await makeUser(hub, org, ['org_admin']);
    const clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
    const s = await call(hub, admin.token)(API.certificates.issueSeal, { body: {} });
    expect(s.status, JSON.stringify(s.body)).to.equal(201);
    const seal = s.body;
    const certified = await f.addSignature((await f.basePdf()).bytes, {
      signer: pki.signerRsa,
      chain: [pki.ca],
      docMdpP: 1,
    });
    const form = new FormData();
    form.append('meta', JSON.stringify(META));
    form.append('file', new Blob([certified]), 'da-chung-nhan.pdf');
    const up = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk.token}` },
      body: form,
    });
    expect(up.status).to.equal(201);
    const doc = (await up.json()) as TDocument;
    const r = await api(hub, clerk.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
      confirmPassword: TEST_PASSWORD,
      certificateId: seal.id,
      kind: 'seal',
      level: 'B-B',
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(422);
    expect(r.body).to.include({ reason: 'PDF_CERTIFIED_NO_CHANGES' });
    expect(String(r.body.detail)).to.match(/DocMDP P=1/);
    const now = await call(hub, clerk.token)(API.documents.get, { params: { id: doc.id } });
    expect(now.body.versions).to.have.length(1);
  });
});

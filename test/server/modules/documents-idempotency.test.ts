import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TDocument } from '../../../server/src/contracts/documents.js';
import type { Hub } from '../../../server/src/hub.js';
import { makeOrg, makeUser, tinyPdf, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';

const META = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-11-28',
  subject: 'V/v tải lên lặp lại',
  signer: { fullName: 'Nguyễn Văn Thi', position: 'Chủ tịch' },
};

describe('documents: Idempotency-Key on upload', () => {
  let hub: Hub;
  let clerk: TestUser;
  before(async () => {
    hub = await startTestHub();
    clerk = await makeUser(hub, await makeOrg(hub.ctx), ['clerk']);
  });
  after(() => hub.close());

  async function upload(key?: string) {
    const form = new FormData();
    form.append('meta', JSON.stringify(META));
    form.append('file', new Blob([await tinyPdf()]), 'cong-van.pdf');
    const res = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${clerk.token}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: form,
    });

    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      doc: (await res.json()) as TDocument,
    };
  }

  it('a retried upload (even concurrent) creates one document and one file', async () => {
    const results = await Promise.all([
      upload('tai-len-0001'),
      upload('tai-len-0001'),
      upload('tai-len-0001'),
    ]);
    expect(new Set(results.map((r) => r.doc.id)).size).to.equal(1);
    expect(results.filter((r) => r.status === 201)).to.have.length(1);
    expect(results.filter((r) => r.status === 200 && r.replayed === 'true')).to.have.length(2);
    const orgId = new Types.ObjectId(clerk.orgId);
    expect(await hub.ctx.db.conn.collection('documents').countDocuments({ orgId })).to.equal(1);
    const files = await hub.ctx.db.conn
      .collection('files.files')
      .countDocuments({ 'metadata.orgId': clerk.orgId });
    expect(files).to.equal(1);
  });

  it('without a key every upload is a new document; a malformed key is a 400', async () => {
    const a = await upload();
    const b = await upload();
    expect(a.doc.id).to.not.equal(b.doc.id);
    expect((await upload('x')).status).to.equal(400);
  });
});

import { expect } from 'chai';
import type { TDocument } from '../../../server/src/contracts/documents.js';
import type { TCertificate } from '../../../server/src/contracts/pki.js';
import type { Hub } from '../../../server/src/hub.js';
import { TEST_PASSWORD, api, makeDocument, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';

describe('signing: Idempotency-Key', () => {
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  it('a retried signing request (even concurrent) adds one signed version', async () => {
    const org = await makeOrg(hub.ctx);
    const admin = await makeUser(hub, org, ['org_admin']);
    const clerk = await makeUser(hub, org, ['clerk']);
    const seal = (await api(hub, admin.token)('POST', '/api/v1/certificates/seal', {}))
      .body as unknown as TCertificate;
    const doc = await makeDocument(hub, clerk);
    const body = {
      certificateId: seal.id,
      kind: 'seal',
      level: 'B-B',
      confirmPassword: TEST_PASSWORD,
    };
    const sign = () =>
      api(hub, clerk.token)('POST', `/api/v1/documents/${doc.id}/signatures`, body, {
        'idempotency-key': 'dong-dau-0001',
      });
    const results = await Promise.all([sign(), sign()]);
    expect(
      results.map((r) => r.status).sort(),
      JSON.stringify(results.map((r) => r.body)),
    ).to.deep.equal([200, 201]);
    const again = await sign();
    expect(again.status).to.equal(200);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect((again.body as unknown as TDocument).versions).to.have.length(2);
    const other = await api(hub, clerk.token)(
      'POST',
      `/api/v1/documents/${doc.id}/signatures`,
      body,
      { 'idempotency-key': 'dong-dau-0002' },
    );
    expect(other.status).to.equal(201);
    expect((other.body as unknown as TDocument).versions).to.have.length(3);
  });
});

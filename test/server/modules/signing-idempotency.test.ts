import { expect } from 'chai';
import type { Hub } from '../../../server/src/hub.js';
import { TEST_PASSWORD, makeDocument, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { API, call } from '../../support/call.js';

describe('signing: Idempotency-Key', () => {
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  it('a retried signing request (even concurrent) adds one signed version', async () => {
    const org = await makeOrg(hub.ctx);
    const admin = await makeUser(hub, org, ['org_admin']);
    const clerk = await makeUser(hub, org, ['clerk']);
    const seal = (await call(hub, admin.token)(API.certificates.issueSeal, { body: {} })).body;
    const doc = await makeDocument(hub, clerk);
    const body = {
      certificateId: seal.id,
      kind: 'seal' as const,
      level: 'B-B' as const,
      confirmPassword: TEST_PASSWORD,
    };
    const sign = () =>
      call(hub, clerk.token)(
        API.signing.sign,
        { params: { id: doc.id }, body },
        { 'idempotency-key': 'dong-dau-0001' },
      );
    const results = await Promise.all([sign(), sign()]);
    expect(
      results.map((r) => r.status).sort(),
      JSON.stringify(results.map((r) => r.body)),
    ).to.deep.equal([200, 201]);
    const again = await sign();
    expect(again.status).to.equal(200);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body.versions).to.have.length(2);
    const other = await call(hub, clerk.token)(
      API.signing.sign,
      { params: { id: doc.id }, body },
      { 'idempotency-key': 'dong-dau-0002' },
    );
    expect(other.status).to.equal(201);
    expect(other.body.versions).to.have.length(3);
  });
});

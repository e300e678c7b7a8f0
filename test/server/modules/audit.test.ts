import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Hub } from '../../../server/src/hub.js';
import { appendAudit } from '../../../server/src/modules/audit/append.js';
import { AuditLog } from '../../../server/src/modules/audit/audit.model.js';
import { api, makeDocument, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub, testDbName, testMongoUri } from '../../support/hub.js';
import { MongoClient } from 'mongodb';
import { API, call } from '../../support/call.js';

describe('audit log: append-only, hash-chained', () => {
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  const actor = { id: 'u1', name: 'Thanh tra', orgId: 'o1', kind: 'user' as const };

  it('chains 300 concurrent appends without a gap and verifies them', async () => {
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        appendAudit(hub.ctx, {
          actor,
          action: 'document.read',
          orgIds: ['o1'],
          target: { type: 'document', id: `d${i}` },
        }),
      ),
    );
    const org = await makeOrg(hub.ctx);
    const auditor = await makeUser(hub, org, ['auditor']);
    const v = await api(hub, auditor.token)('GET', '/api/v1/audit/verify');
    expect(v.status).to.equal(200);
    expect(v.body).to.include({ ok: true, count: 300 });
  });

  it('names the first broken link when an entry is altered', async () => {
    await AuditLog(hub.ctx.db.conn).updateOne({ seq: 42 }, { $set: { 'details.forged': true } });
    const org = await makeOrg(hub.ctx);
    const auditor = await makeUser(hub, org, ['auditor']);
    const v = await api(hub, auditor.token)('GET', '/api/v1/audit/verify');
    expect(v.body).to.include({ ok: false, brokenAt: 42, reason: 'entry content altered' });
    await AuditLog(hub.ctx.db.conn).updateOne({ seq: 42 }, { $unset: { 'details.forged': 1 } });
  });

  it('lets auditors read everything, org admins only their organization, and nobody else', async () => {
    const org = await makeOrg(hub.ctx);
    await appendAudit(hub.ctx, {
      actor,
      action: 'org.thing',
      orgIds: [org.id],
      target: { type: 'org', id: org.id },
    });
    const admin = await makeUser(hub, org, ['org_admin']);
    const clerk = await makeUser(hub, org, ['clerk']);
    const own = await call(hub, admin.token)(API.audit.list);
    const items = own.body.items;
    expect(items).to.have.length(1);
    expect(items[0]!.orgIds).to.deep.equal([org.id]);
    expect((await api(hub, clerk.token)('GET', '/api/v1/audit')).status).to.equal(403);
    expect((await api(hub, admin.token)('GET', '/api/v1/audit/verify')).status).to.equal(403);
  });
});

describe('audit log: document events', () => {
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  it('records registrations and every read of a confidential document', async () => {
    const org = await makeOrg(hub.ctx);
    const clerk = await makeUser(hub, org, ['clerk']);
    const doc = await makeDocument(hub, clerk, { confidentiality: 'mat' });
    expect((await api(hub, clerk.token)('GET', `/api/v1/documents/${doc.id}`)).status).to.equal(
      200,
    );
    const auditor = await makeUser(hub, await makeOrg(hub.ctx), ['auditor']);
    const find = async () => {
      const r = await call(hub, auditor.token)(API.audit.list, { query: { targetId: doc.id } });

      return r.body.items.map((i) => i.action);
    };
    // the audit write is awaited by the request: its entry is there as soon as it answered
    expect(await find()).to.have.members(['document.created', 'document.read-confidential']);
  });

  it('writes the entries of events still pending when the hub stops', async () => {
    const dbName = testDbName('audit_stop');
    const stopping = await startTestHub({}, dbName);
    const org = await makeOrg(stopping.ctx);
    const clerk = await makeUser(stopping, org, ['clerk']);
    const doc = await makeDocument(stopping, clerk, { confidentiality: 'mat' });
    // reads announced an instant before the stop: their entries are being written as it begins
    for (let i = 0; i < 20; i++)
      void stopping.ctx.bus.publish('document.read-confidential', {
        documentId: doc.id,
        orgId: org.id,
        confidentiality: 'mat',
        readerId: clerk.id,
        readerOrgId: org.id,
        what: 'file',
      });
    await stopping.close();
    const client = await MongoClient.connect(testMongoUri());
    try {
      const reads = await client
        .db(dbName)
        .collection(AuditLog(hub.ctx.db.conn).collection.collectionName)
        .countDocuments({ action: 'document.read-confidential', 'target.id': doc.id });
      expect(reads).to.equal(20);
    } finally {
      await client.close();
    }
  });
});

describe('audit log: two hub nodes appending to one chain', () => {
  let a: Hub;
  let b: Hub;
  before(async () => {
    // nodes of one hub share its secrets
    const env = {
      LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
      JWT_SECRET: 'cd'.repeat(32),
    };
    a = await startTestHub(env);
    b = await startTestHub(env, a.ctx.db.conn.name);
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  it('stays one unbroken chain when each node appends after the other (its head went stale)', async () => {
    const actor = { id: 'u1', name: 'Văn thư', orgId: 'o1', kind: 'user' as const };
    const append = (hub: Hub, i: number) =>
      appendAudit(hub.ctx, {
        actor,
        action: 'document.read',
        orgIds: ['o1'],
        target: { type: 'document', id: `d${i}` },
      });
    for (let round = 0; round < 5; round++) {
      await append(a, round * 3);
      await append(b, round * 3 + 1);
      await Promise.all([append(a, round * 3 + 2), append(b, round * 3 + 2)]);
    }
    const entries = await AuditLog(a.ctx.db.conn).find().sort({ seq: 1 }).lean();
    expect(entries.map((e) => e.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    const org = await makeOrg(a.ctx);
    const auditor = await makeUser(a, org, ['auditor']);
    const v = await api(a, auditor.token)('GET', '/api/v1/audit/verify');
    expect(v.body).to.include({ ok: true });
  });
});

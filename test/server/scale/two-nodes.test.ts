import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { TIncomingEvent } from '../../../server/src/contracts/events.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub, testDbName } from '../../support/hub.js';
import { startRedis, type TestRedis } from '../../support/redis.js';
import { connectSocket, type TestSocket } from '../../support/sockets.js';

/** Two hub nodes on one database and one Redis, like a deployment behind a load balancer. */
describe('scale: two hub nodes with the Redis adapter', () => {
  let redis: TestRedis;
  let nodeA: Hub;
  let nodeB: Hub;
  let sender: TOrg;
  let recipient: TOrg;
  let clerk: TestUser;
  let reader: TestUser;
  const sockets: TestSocket[] = [];

  before(async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    const dbName = testDbName('two');
    nodeA = await startTestHub(env, dbName);
    nodeB = await startTestHub(env, dbName);
    sender = await makeOrg(nodeA.ctx, { name: 'UBND tỉnh Nghệ An', level: 'province' });
    recipient = await makeOrg(nodeA.ctx, { name: 'UBND huyện Nam Đàn', level: 'district' });
    clerk = await makeUser(nodeA, sender, ['clerk']);
    reader = await makeUser(nodeB, recipient, ['clerk']);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  async function dispatchThrough(node: Hub): Promise<string> {
    const doc = await makeDocument(node, clerk);
    const res = await api(node, clerk.token)(
      'POST',
      '/api/v1/dispatches',
      { documentId: doc.id, recipients: [recipient.id] },
      { 'idempotency-key': `two-nodes-${randomBytes(6).toString('hex')}` },
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);

    return doc.id;
  }

  const docIdOf = (e: { data: unknown }) => (e.data as TIncomingEvent).delivery.documentId;

  it('a socket on node B receives the event of a dispatch made through node A', async () => {
    const onB = await connectSocket(nodeB, reader.token);
    sockets.push(onB);
    const docId = await dispatchThrough(nodeA);
    const [e] = await onB.waitFor('document:incoming', 1);
    expect(docIdOf(e!)).to.equal(docId);
    // node B itself never published it: only Redis could have carried it
    expect(e!.orgId).to.equal(recipient.id);
  });

  it('a client reconnecting to the other node gets what it missed exactly once', async () => {
    const onA = await connectSocket(nodeA, reader.token, 0);
    await new Promise((r) => onA.once('replay:done', r));
    const seen = onA.received.filter((e) => e.type === 'document:incoming');
    const lastSeq = Math.max(0, ...onA.received.map((e) => e.seq));
    onA.close();
    const missed = [await dispatchThrough(nodeB), await dispatchThrough(nodeA)];

    const onB = await connectSocket(nodeB, reader.token, lastSeq);
    sockets.push(onB);
    await onB.waitFor('document:incoming', 2);
    const live = await dispatchThrough(nodeA);
    const all = await onB.waitFor('document:incoming', 3);
    await new Promise((r) => setTimeout(r, 300)); // give a duplicate time to show up
    const got = onB.received.filter((e) => e.type === 'document:incoming');
    expect(got.map(docIdOf)).to.deep.equal([...missed, live]);
    expect(all).to.have.length(3);
    const seqs = got.map((e) => e.seq);
    expect(new Set(seqs).size).to.equal(seqs.length);
    expect(Math.min(...seqs)).to.be.greaterThan(lastSeq);
    // nothing replayed that the client had already seen before it reconnected
    expect(seen.map(docIdOf)).to.not.include.members(missed);
  });
});

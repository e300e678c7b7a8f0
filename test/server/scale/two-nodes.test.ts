import { expect } from 'chai';
import type { TIncomingEvent } from '../../../server/src/contracts/events.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { makeUser, type TestUser } from '../../support/factories.js';
import type { TestRedis } from '../../support/redis.js';
import { connectSocket, type TestSocket } from '../../support/sockets.js';
import { dispatchThrough as dispatchVia, startTwoNodes } from '../../support/two-nodes.js';

/** Two hub nodes on one database and one Redis, like a deployment behind a load balancer. */
describe('scale: two hub nodes with the Redis adapter', () => {
  let redis: TestRedis;
  let nodeA: Hub;
  let nodeB: Hub;
  let recipient: TOrg;
  let clerk: TestUser;
  let reader: TestUser;
  const sockets: TestSocket[] = [];

  before(async () => {
    ({ redis, nodeA, nodeB, recipient, clerk } = await startTwoNodes('two', {
      sender: 'UBND tỉnh Nghệ An',
      recipient: 'UBND huyện Nam Đàn',
    }));
    reader = await makeUser(nodeB, recipient, ['clerk']);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  const dispatchThrough = (node: Hub) => dispatchVia(node, clerk, recipient, 'two-nodes');

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

import { expect } from 'chai';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { eventsAfter } from '../../../server/src/modules/events/publish.js';
import { makeUser, type TestUser } from '../../support/factories.js';
import { waitFor } from '../../support/process.js';
import { startRedis, type TestRedis } from '../../support/redis.js';
import { dispatchThrough as dispatchVia, startTwoNodes } from '../../support/two-nodes.js';
import { EventClient } from './engine-hub.js';

/** Dispatches through each node while Redis is down. */
const WHILE_DOWN = 5;

/**
 * Two hub nodes on one database and one Redis; Redis is killed (SIGKILL) and started again on
 * the same port. Events published meanwhile on one node never crossed to the other's sockets;
 * once Redis is back every node has its sockets reconnect, and their replay brings them in.
 */
describe('faults: Redis killed and restarted under two hub nodes', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  let nodeA: Hub;
  let nodeB: Hub;
  let recipient: TOrg;
  let clerk: TestUser;
  const clients: { node: string; client: EventClient }[] = [];
  const stopped = new Set<Hub>();

  before(async () => {
    ({ redis, nodeA, nodeB, recipient, clerk } = await startTwoNodes('redisfault', {
      sender: 'UBND tỉnh Quảng Ngãi',
      recipient: 'UBND huyện Sơn Tịnh',
    }));
    const reader = await makeUser(nodeA, recipient, ['clerk']);
    for (const [name, node] of [
      ['A', nodeA],
      ['B', nodeB],
    ] as const) {
      clients.push({ node: name, client: new EventClient(recipient.id, node.url, reader.token) });
    }
    await Promise.all(clients.map((c) => c.client.ready()));
  });
  after(async () => {
    for (const c of clients) c.client.close();
    await Promise.allSettled(
      [nodeA, nodeB].filter((n) => n && !stopped.has(n)).map((n) => n.close()),
    );
    await redis?.stop();
  });

  async function dispatchThrough(node: Hub): Promise<void> {
    await dispatchVia(node, clerk, recipient, 'redis-fault');
  }

  /** Every event of the recipient's log reached the client (by seq), and nothing else did. */
  async function caughtUp(c: EventClient): Promise<void> {
    const logged = (await eventsAfter(nodeA.ctx, recipient.id, 0, 100_000)).map((e) => e.seq);
    await waitFor(async () => (logged.every((s) => c.bySeq.has(s)) ? true : undefined), 20_000);
    expect([...c.bySeq.keys()].sort((a, b) => a - b)).to.deep.equal(logged);
  }

  it('sockets on both nodes get every event published while Redis was down', async () => {
    await dispatchThrough(nodeA);
    for (const c of clients) await caughtUp(c.client);

    await redis.stop();
    for (let i = 0; i < WHILE_DOWN; i++) {
      await dispatchThrough(nodeA);
      await dispatchThrough(nodeB);
    }
    redis = await startRedis(redis.port);
    for (const c of clients) await caughtUp(c.client);

    await dispatchThrough(nodeB); // and live again across nodes
    for (const c of clients) await caughtUp(c.client);
    const counts = clients.map((c) => ({
      node: c.node,
      events: c.client.bySeq.size,
      seenTwice: c.client.duplicates,
      resync: c.client.notices['hub:resync'] ?? 0,
      connects: c.client.connects,
    }));
    console.log(`      after the Redis restart: ${JSON.stringify(counts)}`);
    for (const c of counts) expect(c.events).to.be.at.least(1 + 2 * WHILE_DOWN + 1);
  });

  it('a node stops while Redis is down instead of waiting for it', async function () {
    this.timeout(20_000);
    await redis.stop();
    await dispatchThrough(nodeB); // by then its Redis clients have seen the connection drop
    stopped.add(nodeB);
    await nodeB.close(); // node-redis's QUIT waited forever for the lost server
    expect(nodeB.http.listening).to.equal(false);
  });
});

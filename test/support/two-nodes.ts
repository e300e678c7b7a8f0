import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from './factories.js';
import { startTestHub, testDbName } from './hub.js';
import { startRedis, type TestRedis } from './redis.js';

/** Two hub nodes on one database and one Redis, a sender's clerk and a recipient organization. */
export type TwoNodes = {
  redis: TestRedis;
  nodeA: Hub;
  nodeB: Hub;
  sender: TOrg;
  recipient: TOrg;
  clerk: TestUser;
};

/** Starts Redis and two nodes sharing it and the database `dbTag`, with the two organizations. */
export async function startTwoNodes(
  dbTag: string,
  names: { sender: string; recipient: string },
): Promise<TwoNodes> {
  const redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  const dbName = testDbName(dbTag);
  const nodeA = await startTestHub(env, dbName);
  const nodeB = await startTestHub(env, dbName);
  const sender = await makeOrg(nodeA.ctx, { name: names.sender, level: 'province' });
  const recipient = await makeOrg(nodeA.ctx, { name: names.recipient, level: 'district' });
  const clerk = await makeUser(nodeA, sender, ['clerk']);

  return { redis, nodeA, nodeB, sender, recipient, clerk };
}

/** A new document of the clerk's, dispatched to the recipient through `node`; its id. */
export async function dispatchThrough(
  node: Hub,
  clerk: TestUser,
  recipient: TOrg,
  keyPrefix: string,
): Promise<string> {
  const doc = await makeDocument(node, clerk);
  const res = await api(node, clerk.token)(
    'POST',
    '/api/v1/dispatches',
    { documentId: doc.id, recipients: [recipient.id] },
    { 'idempotency-key': `${keyPrefix}-${randomBytes(6).toString('hex')}` },
  );
  expect(res.status, JSON.stringify(res.body)).to.equal(201);

  return doc.id;
}

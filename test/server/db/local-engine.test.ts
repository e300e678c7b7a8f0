import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { decideEngine } from '../../../server/src/db/engine/decide.js';
import { machineFacts } from '../../../server/src/db/engine/facts.js';
import { startLocalEngine } from '../../../server/src/db/engine/local-engine.js';
import { commandName } from '../../../server/src/db/engine/session-guard.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);

    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(uri: string, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = await new MongoClient(uri).connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('local MongoDB engine (sidecar)', () => {
  const decision = decideEngine(machineFacts(undefined));
  const loader = decision.mode === 'local-engine' ? decision.loader : 'system';
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lienthong-engine-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across a stop and a start', async () => {
    const first = await startLocalEngine(dir, loader);
    await withClient(first.uri, (c) =>
      c.db('keep').collection('letters').insertOne({ so: '123/UBND-VP' }),
    );
    await first.stop();
    expect(alive(first.pid)).to.equal(false);
    const second = await startLocalEngine(dir, loader);
    const found = await withClient(second.uri, (c) =>
      c.db('keep').collection('letters').findOne({}),
    );
    await second.stop();
    expect(found?.so).to.equal('123/UBND-VP');
  });

  it('starts again after the sidecar was killed with SIGKILL (no stale lock)', async () => {
    const first = await startLocalEngine(dir, loader);
    await withClient(first.uri, (c) =>
      c
        .db('keep')
        .collection('x')
        .insertOne({ n: 1 }, { writeConcern: { w: 1, j: true } }),
    );
    process.kill(first.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    const second = await startLocalEngine(dir, loader);
    const n = await withClient(second.uri, (c) => c.db('keep').collection('x').countDocuments());
    await second.stop();
    expect(n).to.equal(1);
  });
});

describe('session guard', () => {
  it('names the command of an OP_MSG and ignores other opcodes', async () => {
    const body = Buffer.concat([
      Buffer.from([0, 0, 0, 0, 0x04]),
      Buffer.from('endSessions\0', 'utf8'),
      Buffer.alloc(6),
    ]);
    const header = Buffer.alloc(21);
    header.writeInt32LE(7, 4);
    header.writeInt32LE(2013, 12);
    expect(commandName(Buffer.concat([header, body]))).to.equal('endSessions');
    header.writeInt32LE(2004, 12);
    expect(commandName(Buffer.concat([header, body]))).to.equal(null);
  });

  it('survives the driver closing a client (endSessions) from another process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lienthong-engine-'));
    const decision = decideEngine(machineFacts(undefined));
    const engine = await startLocalEngine(
      dir,
      decision.mode === 'local-engine' ? decision.loader : 'system',
    );
    await withClient(engine.uri, async (c) => {
      await c.db('x').collection('y').insertOne({ a: 1 });
      await c.db('admin').command({ endSessions: [] });
    });
    const n = await withClient(engine.uri, (c) => c.db('x').collection('y').countDocuments());
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(n).to.equal(1);
  });
});

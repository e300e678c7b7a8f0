import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pidsWith, runCli, waitFor } from '../../support/process.js';

type Ready = { status: string; mongodb: { mode: string; version: string } };

/**
 * A first start makes the CA hierarchy (four RSA keys) and starts an engine; with the suite's
 * other files running beside it on two cores that has taken over 30 s, so the wait is generous:
 * what is tested is that it becomes ready, and how it stops.
 */
async function ready(port: number): Promise<Ready> {
  return waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);

    return res.status === 200 ? ((await res.json()) as Ready) : undefined;
  }, 120_000);
}

describe('lienthong serve (a real process)', function () {
  this.timeout(300_000);
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'lienthong-serve-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the local engine, is ready, and stops hub and sidecar on SIGINT within 5 s', async () => {
    const port = await freePort();
    const cli = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port) });
    const r = await ready(port);
    expect(r.mongodb.mode).to.equal('local-engine');
    expect(r.mongodb.version).to.match(/^\d+\.\d+/);
    expect(pidsWith(join(dataDir, 'db'))).to.have.length(1);
    const t0 = Date.now();
    cli.child.kill('SIGINT');
    expect(await cli.exited).to.equal(0);
    expect(Date.now() - t0).to.be.below(5000);
    await waitFor(
      async () => (pidsWith(join(dataDir, 'db')).length === 0 ? true : undefined),
      2000,
    );
  });

  it('the sidecar does not outlive a hub killed with SIGKILL', async () => {
    const port = await freePort();
    const cli = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port) });
    await ready(port);
    expect(pidsWith(join(dataDir, 'db'))).to.have.length(1);
    cli.child.kill('SIGKILL');
    await cli.exited;
    await waitFor(
      async () => (pidsWith(join(dataDir, 'db')).length === 0 ? true : undefined),
      5000,
    );
    // and the next start is not blocked by anything the killed one left behind
    const again = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port) });
    expect((await ready(port)).mongodb.mode).to.equal('local-engine');
    again.child.kill('SIGTERM');
    expect(await again.exited).to.equal(0);
  });

  it('fails fast with one line naming the unreachable MONGODB_URI, password masked', async function () {
    // it must give up on its own (the driver's server selection), not hang: this bounds it
    this.timeout(30_000);
    const cli = runCli(['serve'], {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      MONGODB_URI: 'mongodb://van-thu:bi-mat@127.0.0.1:1/lienthong',
    });
    expect(await cli.exited).to.equal(1);
    const lines = cli.output().trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('mongodb://van-thu:****@127.0.0.1:1/lienthong');
    expect(lines[0]).to.contain('MONGODB_URI');
    expect(cli.output()).not.to.contain('bi-mat');
  });

  it('lists every configuration problem and exits 1', async () => {
    const cli = runCli(['serve'], { PORT: 'tám nghìn', LOG_LEVEL: 'ồn ào' });
    expect(await cli.exited).to.equal(1);
    expect(cli.output()).to.contain('PORT').and.to.contain('LOG_LEVEL');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { decideEngine } from '../../../server/src/db/engine/decide.js';
import { machineFacts } from '../../../server/src/db/engine/facts.js';
import { startLocalEngine, type LocalEngine } from '../../../server/src/db/engine/local-engine.js';
import { freePort, runCli, waitFor, type Cli } from '../../support/process.js';
import { uriWithDb } from '../scale/hub-process.js';
import { secretsEnv } from './engine-hub.js';

/**
 * With MONGODB_URI the hub does not own the database: the driver reconnects by itself, and the
 * hub applies the same fail-fast rule as to its own engine — answer 503 at once meanwhile, and
 * after 5 failed reconnections exit 1 with one line, for systemd or Kubernetes to act on.
 */
describe('faults: the MongoDB of MONGODB_URI goes away for good', function () {
  this.timeout(120_000);
  let dir: string;
  let engine: LocalEngine;
  let hub: Cli;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-uri-'));
    const decision = decideEngine(machineFacts(undefined));
    engine = await startLocalEngine(
      join(dir, 'db'),
      decision.mode === 'local-engine' ? decision.loader : 'system',
    );
  });
  after(async () => {
    if (hub?.child.exitCode === null) hub.child.kill('SIGKILL');
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while it is away, then exits 1 with one line', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    hub = runCli(['serve'], {
      ...secretsEnv(),
      PORT: String(port),
      DATA_DIR: join(dir, 'hub'),
      MONGODB_URI: uriWithDb(engine.uri, 'uri_outage'),
      LOG_LEVEL: 'silent',
    });
    await waitFor(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), 60_000);

    process.kill(engine.pid, 'SIGKILL');
    const answers: { status: number; retryAfter: string | null }[] = [];
    while (hub.child.exitCode === null) {
      const r = await fetch(`${url}/api/v1/documents`, {
        signal: AbortSignal.timeout(5_000), // hang vs. answer, not speed: see engine-supervision
      }).catch(() => undefined);
      if (!r) break;
      answers.push({ status: r.status, retryAfter: r.headers.get('retry-after') });
      await new Promise((res) => setTimeout(res, 1_000));
    }
    const code = await hub.exited;
    const unavailable = answers.filter((a) => a.status === 503);
    console.log(`      answers until the exit: ${answers.map((a) => a.status).join(' ')}`);
    expect(unavailable.length).to.be.greaterThan(0);
    expect(unavailable.every((a) => /^\d+$/.test(a.retryAfter ?? ''))).to.equal(true);
    expect(code).to.equal(1);
    const lines = hub.output().trim().split('\n');
    expect(lines, hub.output()).to.have.length(1);
    expect(lines[0]).to.match(/^lienthong: Không kết nối lại được MongoDB: 5 lần thất bại/);
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { congVanForm, tinyPdf, type TestUser } from '../../support/factories.js';
import { freePort } from '../../support/process.js';
import { alive, EngineHub, EventClient, secretsEnv, startWithClerk } from './engine-hub.js';

/**
 * The client's patience in these tests. The behaviour under test is "answers" against "hangs"
 * (issue 24: requests hung 10 s and more): a bound this generous tells them apart on a loaded
 * 2-core machine without turning into a speed test; the measured figures are printed.
 */
const CLIENT_TIMEOUT_MS = 5_000;

async function timedFetch(url: string, init: RequestInit = {}) {
  const t0 = performance.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) });
  const body = await res.text();

  return { res, body, ms: Math.round(performance.now() - t0) };
}

async function upload(hub: EngineHub, clerk: TestUser, subject: string, key: string) {
  const pdf = await tinyPdf(key); // Latin text: the standard font has no Vietnamese
  const form = congVanForm(
    { issuePlace: 'Hà Tĩnh', issueDate: '2026-12-06', subject, signerName: 'Lê Văn Tỉnh' },
    pdf,
  );
  const r = await timedFetch(`${hub.url}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clerk.token}`, 'idempotency-key': key },
    body: form,
  });

  return { ...r, sha256: createHash('sha256').update(pdf).digest('hex') };
}

describe('faults: the local engine dies under a running hub (lienthong serve, real processes)', function () {
  this.timeout(120_000);
  const secrets = secretsEnv();
  let dataDir: string;
  let hub: EngineHub;
  let observer: Hub | undefined;
  let org: TOrg;
  let clerk: TestUser;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lienthong-faults-'));
    hub = new EngineHub(await freePort(), dataDir, secrets);
    ({ observer, org, clerk } = await startWithClerk(hub, secrets, 'UBND tỉnh Hà Tĩnh'));
  });
  afterEach(async () => {
    await observer?.close();
    observer = undefined;
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts the engine: /readyz answers all along, is 200 again, the data is kept, SIGINT stops all', async () => {
    const before = await upload(hub, clerk, 'Trước sự cố', 'faults-before-kill');
    expect(before.res.status, before.body).to.equal(201);
    const docId = (JSON.parse(before.body) as { id: string }).id;
    const socket = new EventClient(org.id, hub.url, clerk.token);
    await socket.ready();

    const enginePid = hub.killEngine();
    const probes: { status: number; ms: number }[] = [];
    const end = Date.now() + 30_000;
    // once a second, as a load balancer would, until the hub is ready again
    for (;;) {
      const { res, ms } = await timedFetch(`${hub.url}/readyz`);
      probes.push({ status: res.status, ms });
      if (res.status === 200 || Date.now() > end) break;
      expect(res.status).to.equal(503);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    console.log(`      /readyz after the kill (status ms): ${JSON.stringify(probes)}`);
    const log = hub.out
      .split('\n')
      .filter((l) => !l.includes('request completed') && !l.includes('"res":'));
    expect(
      probes.at(-1)!.status,
      `ready again within 30 s\n${log.join('\n')}\n${hub.err}`,
    ).to.equal(200);
    expect(alive(enginePid)).to.equal(false);
    const restarted = hub.runtime().enginePid;
    expect(restarted).to.not.equal(enginePid);
    expect(alive(restarted)).to.equal(true);
    expect(hub.logged('the local MongoDB engine exited; restarting it')).to.equal(1);
    expect(hub.logged('the local MongoDB engine is running again')).to.equal(1);

    // what was written before the kill is there, byte for byte
    const doc = await timedFetch(`${hub.url}/api/v1/documents/${docId}`, {
      headers: { authorization: `Bearer ${clerk.token}` },
    });
    expect(doc.res.status, doc.body).to.equal(200);
    const version = (JSON.parse(doc.body) as { versions: { id: string }[] }).versions[0]!;
    const file = await fetch(`${hub.url}/api/v1/documents/${docId}/versions/${version.id}/file`, {
      headers: { authorization: `Bearer ${clerk.token}` },
    });
    const sha = createHash('sha256')
      .update(Buffer.from(await file.arrayBuffer()))
      .digest('hex');
    expect(sha).to.equal(before.sha256);

    // the socket was told, and came back by itself
    await new Promise<void>((resolve) => {
      const check = () => (socket.socket.connected ? resolve() : setTimeout(check, 100));
      check();
    });
    expect(socket.notices['hub:unavailable']).to.equal(1);
    expect(socket.connects).to.equal(2);
    socket.close();

    await observer!.close();
    observer = undefined;
    const t0 = performance.now();
    hub.child!.kill('SIGINT');
    // serve.ts exits 1 when its 5 s hard stop fires: exit code 0 means it stopped before that
    const code = await hub.exited;
    console.log(`      SIGINT → exit ${code} in ${Math.round(performance.now() - t0)} ms`);
    expect(code).to.equal(0);
    expect(alive(restarted), 'the restarted sidecar stops with the hub').to.equal(false);
  });

  it('gives up after repeated failed restarts: 503 with Retry-After meanwhile, then exit 1 with one line', async () => {
    // the data directory is gone (a file in its place): every restart fails
    renameSync(join(dataDir, 'db'), join(dataDir, 'db.moved'));
    writeFileSync(join(dataDir, 'db'), 'not a directory');
    hub.killEngine();
    await observer!.close();
    observer = undefined;

    const seen: number[] = [];
    let refused: Awaited<ReturnType<typeof timedFetch>> | undefined;
    while (hub.child!.exitCode === null) {
      const r = await timedFetch(`${hub.url}/api/v1/documents`, {
        headers: { authorization: `Bearer ${clerk.token}` },
      }).catch(() => undefined); // the hub has exited meanwhile
      if (!r) break;
      seen.push(r.ms);
      if (r.res.status === 503) refused ??= r;
      await new Promise((res) => setTimeout(res, 500));
    }
    const code = await hub.exited;
    console.log(
      `      API answers while the engine could not restart (ms): ${JSON.stringify(seen)}`,
    );
    expect(refused, 'a request while the engine is away').to.not.equal(undefined);
    expect(refused!.res.headers.get('retry-after')).to.match(/^\d+$/);
    expect(JSON.parse(refused!.body)).to.include({ status: 503, code: 'UNAVAILABLE' });
    expect(code).to.equal(1);
    const lines = hub.err.trim().split('\n');
    expect(lines, hub.err).to.have.length(1);
    expect(lines[0]).to.match(/^lienthong: MongoDB cục bộ không khởi động lại được: 5 lần/);
    expect(hub.logged('the local MongoDB engine did not start')).to.equal(5);
  });
});

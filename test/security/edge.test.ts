/**
 * The hub's HTTP edge: no body is read before the caller is known (H4), deeply nested JSON is a
 * 400 (not a 500), X-Forwarded-For counts only from configured proxies (TRUST_PROXY), and
 * /metrics is not public.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import { ConfigError, loadConfig } from '../../server/src/config/config.js';
import { AppError } from '../../server/src/errors/app-error.js';
import { findOperatorKey } from '../../server/src/http/route.js';
import type { Hub } from '../../server/src/hub.js';
import { api, makeOrg, makeUser, tinyPdf, type TestUser } from '../support/factories.js';
import { startTestHub, testDbName, testMongoUri } from '../support/hub.js';
import { freePort, runCli, runTempDir } from '../support/process.js';
import { HubProcess, uriWithDb } from '../server/scale/hub-process.js';

const MB = 1024 * 1024;
const BODY_BYTES = 30 * MB;
const CONCURRENT = 6;

/** VmRSS of a process, in bytes, from /proc (not from the process itself). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);

  return Number(m[1]) * 1024;
}

/** An answer came (else streamBody rejects): while the body was still incomplete. */
type Streamed = { status: number; sentBeforeAnswer: number };

/** What a sender pushes before it waits for the answer: more than any refused body needs. */
const HEAD_START = 1 * MB;

/**
 * Sends up to `total` bytes of `chunk` as a request body and stops when the answer comes. After
 * HEAD_START bytes it waits for the answer: a hub that reads the body before answering then never
 * answers, and the request fails after 30 s. Pushing on instead made the count depend on the
 * machine's load: a refused body is still taken in and dropped for 2 s after the answer (the
 * lingering close), and a busy sender could write all 30 MB before it read the answer.
 * `chunked` sends no Content-Length (Transfer-Encoding: chunked).
 */
function streamBody(
  url: string,
  path: string,
  headers: Record<string, string>,
  total: number,
  chunked: boolean,
): Promise<Streamed> {
  const { hostname, port } = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 0x3c); // "<<<<": XML-ish, never valid
  let sent = 0;
  let answered = false;

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${path}: no answer within 30 s (${sent} bytes sent)`));
    }, 30_000);
    const req = request(
      {
        host: hostname,
        port,
        path,
        method: 'POST',
        agent: false,
        headers: chunked ? headers : { ...headers, 'content-length': String(total) },
      },
      (res) => {
        answered = true;
        const sentBeforeAnswer = sent;
        res.resume();
        res.on('end', () => {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, sentBeforeAnswer });
        });
      },
    );
    // the hub closing the connection mid-body is the expected outcome, not a failure
    req.on('error', (err) => {
      if (!answered) {
        clearTimeout(timer);
        reject(err);
      }
    });
    const pump = () => {
      while (!answered && sent < Math.min(total, HEAD_START)) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && sent >= total) req.end();
    };
    pump();
  });
}

describe('security: the HTTP edge', function () {
  this.timeout(180_000);

  describe('H4: no body is read before authentication (a real hub process)', () => {
    let hub: HubProcess;
    let dataDir: string;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'lienthong-edge-'));
      hub = new HubProcess(
        {
          MONGODB_URI: uriWithDb(testMongoUri(), testDbName('edge')),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          JWT_SECRET: randomBytes(32).toString('hex'),
          LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
        },
        await freePort(),
      );
      await hub.start();
    });
    after(async () => {
      await hub?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const targets = [
      { path: '/api/v1/edxml', type: 'application/xml' },
      { path: '/api/v1/documents', type: 'multipart/form-data; boundary=zzzz' },
    ];
    for (const { path, type } of targets) {
      it(`answers ${CONCURRENT} concurrent anonymous 30 MB bodies to ${path} with 401 before they are sent, RSS +<100 MB`, async () => {
        const pid = hub.pid!;
        // settle: the first requests after start allocate what every request needs
        await (await fetch(`${hub.url}/healthz`)).text();
        const before = rssOf(pid);
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
        try {
          const results = await Promise.all(
            Array.from({ length: CONCURRENT }, (_, i) =>
              streamBody(hub.url, path, { 'content-type': type }, BODY_BYTES, i % 2 === 1),
            ),
          );
          peak = Math.max(peak, rssOf(pid));
          const grownMb = (peak - before) / MB;
          const sent = results.map((r) => (r.sentBeforeAnswer / MB).toFixed(1)).join(', ');
          console.log(
            `      ${path}: RSS ${(before / MB).toFixed(0)} MB, peak +${grownMb.toFixed(1)} MB; MB sent before the answer: ${sent}`,
          );
          expect(grownMb, `RSS grew by ${grownMb.toFixed(1)} MB`).to.be.below(100);
          for (const [i, r] of results.entries()) {
            expect(r.status, `request ${i}`).to.equal(401);
          }
        } finally {
          clearInterval(sampler);
        }
        // the hub is still there and answers
        expect((await fetch(`${hub.url}/healthz`)).status).to.equal(200);
      });
    }

    it('still takes the public bodies (login) and refuses an oversized one at once', async () => {
      const login = await fetch(`${hub.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'khong-co-ai', password: 'sai-mat-khau' }),
      });
      expect(login.status).to.equal(401);
      expect(((await login.json()) as { code: string }).code).to.equal('UNAUTHENTICATED');
      const huge = await streamBody(
        hub.url,
        '/api/v1/auth/login',
        { 'content-type': 'application/json' },
        BODY_BYTES,
        false,
      );
      expect(huge.status).to.equal(413);
    });
  });

  describe('with a hub in this process', () => {
    let hub: Hub;
    let org: TOrg;
    let admin: TestUser;
    let clerk: TestUser;
    let hubAdmin: TestUser;
    const METRICS_TOKEN = randomBytes(24).toString('hex'); // 48 characters
    before(async () => {
      hub = await startTestHub({ METRICS_TOKEN });
      org = await makeOrg(hub.ctx);
      admin = await makeUser(hub, org, ['org_admin']);
      clerk = await makeUser(hub, org, ['clerk']);
      hubAdmin = await makeUser(hub, org, ['hub_admin']);
    });
    after(async () => hub.close());

    it('reads no edXML body before the role check: a signer streaming 30 MB gets 403 at once', async () => {
      const signer = await makeUser(hub, org, ['signer']);
      const r = await streamBody(
        hub.url,
        '/api/v1/edxml',
        { 'content-type': 'application/xml', authorization: `Bearer ${signer.token}` },
        BODY_BYTES,
        false,
      );
      expect(r.status).to.equal(403);
    });

    describe('nested JSON', () => {
      const deep = {
        arrays: '['.repeat(100_000) + ']'.repeat(100_000),
        objects: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      };

      for (const [what, body] of Object.entries(deep)) {
        it(`answers 100,000-deep ${what} with 400 VALIDATION_FAILED, not 500`, async () => {
          const res = await fetch(`${hub.url}/api/v1/api-keys`, {
            method: 'POST',
            headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
            body,
          });
          expect(res.status).to.equal(400);
          expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
          expect(((await res.json()) as { code: string }).code).to.equal('VALIDATION_FAILED');
        });
      }

      it('refuses deep upload metadata (multipart, parsed outside the JSON parser) with 400', async () => {
        const form = new FormData();
        // 60,000 characters: under the 64 KB field limit, so the JSON is parsed and walked
        form.append('meta', '['.repeat(30_000) + ']'.repeat(30_000));
        form.append('file', new Blob([await tinyPdf()], { type: 'application/pdf' }), 'a.pdf');
        const res = await fetch(`${hub.url}/api/v1/documents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${clerk.token}` },
          body: form,
        });
        expect(res.status).to.equal(400);
        expect(((await res.json()) as { code: string }).code).to.equal('VALIDATION_FAILED');
      });

      it('findOperatorKey walks without recursion and refuses depth > 64', () => {
        let value: unknown = 1;
        for (let i = 0; i < 100_000; i++) value = { a: value };
        expect(() => findOperatorKey(value))
          .to.throw(AppError)
          .with.property('code', 'VALIDATION_FAILED');
        let ok: unknown = { $ne: 1 };
        for (let i = 0; i < 10; i++) ok = [{ a: ok }];
        expect(findOperatorKey(ok)).to.equal(
          '[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a.$ne',
        );
        expect(findOperatorKey({ a: [1, { b: 2 }], c: 'x' })).to.equal(null);
      });
    });

    describe('TRUST_PROXY', () => {
      const login = (h: Hub, forwardedFor: string) =>
        fetch(`${h.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ username: 'khong-ton-tai-xff', password: 'sai' }),
        });

      // 11 tries for one username: the per-(address, username) limits (10 a minute, and the
      // auth module's lockout after 5 failures) stop them, unless each try is a new address
      it('unset: rate limits key on the socket address, a spoofed X-Forwarded-For changes nothing', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 11; i++) statuses.push((await login(hub, `203.0.113.${i + 1}`)).status);
        expect(statuses[0]).to.equal(401);
        expect(statuses[10], statuses.join()).to.equal(429);
      });

      it('set (loopback): X-Forwarded-For from the local proxy names the client', async () => {
        const proxied = await startTestHub({ TRUST_PROXY: 'loopback' });
        try {
          const statuses: number[] = [];
          for (let i = 0; i < 11; i++) {
            statuses.push((await login(proxied, `203.0.113.${i + 1}`)).status);
          }
          expect(statuses).to.deep.equal(Array(11).fill(401));
        } finally {
          await proxied.close();
        }
      });

      it('is validated: hop counts, names, addresses and CIDRs; anything else fails at boot', async () => {
        const base = { DATA_DIR: tmpdir() };
        expect(loadConfig(base).TRUST_PROXY).to.equal(undefined);
        expect(loadConfig({ ...base, TRUST_PROXY: '1' }).TRUST_PROXY).to.equal(1);
        expect(
          loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.0.2.7' })
            .TRUST_PROXY,
        ).to.deep.equal(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
        for (const bad of ['true', 'yes', '10.0.0.0/33', '300.1.1.1', 'loopback,', '1.2.3.4/8/9']) {
          expect(() => loadConfig({ ...base, TRUST_PROXY: bad }), bad).to.throw(ConfigError);
        }
        const cli = runCli(['serve'], {
          TRUST_PROXY: 'everyone',
          DATA_DIR: runTempDir('edge-'),
          MONGODB_URI: testMongoUri(),
        });
        expect(await cli.exited).to.equal(1);
        expect(cli.output()).to.contain('TRUST_PROXY');
      });
    });

    describe('/metrics', () => {
      const metrics = (authorization?: string) =>
        fetch(`${hub.url}/metrics`, { headers: authorization ? { authorization } : {} });

      it('refuses anonymous callers (401) and other roles (403)', async () => {
        const anonymous = await metrics();
        expect(anonymous.status).to.equal(401);
        expect(await anonymous.text()).to.not.contain('http_request_duration_seconds');
        expect((await metrics(`Bearer ${clerk.token}`)).status).to.equal(403);
        expect((await metrics(`Bearer ${admin.token}`)).status).to.equal(403);
        expect((await metrics(`Bearer ${METRICS_TOKEN.slice(1)}x`)).status).to.equal(401);
      });

      it("answers a hub_admin's token and Prometheus' METRICS_TOKEN", async () => {
        for (const auth of [`Bearer ${hubAdmin.token}`, `Bearer ${METRICS_TOKEN}`]) {
          const res = await metrics(auth);
          expect(res.status).to.equal(200);
          expect(await res.text()).to.contain('http_request_duration_seconds');
        }
        const key = await api(hub, admin.token)('POST', '/api/v1/api-keys', {
          name: 'máy giám sát',
          roles: ['clerk'],
        });
        expect(key.status).to.equal(201);
        const res = await fetch(`${hub.url}/metrics`, {
          headers: { 'x-api-key': String(key.body.key) },
        });
        expect(res.status).to.equal(403);
      });

      it('METRICS_TOKEN must be at least 32 characters', () => {
        expect(() => loadConfig({ DATA_DIR: tmpdir(), METRICS_TOKEN: 'ngan-qua' })).to.throw(
          ConfigError,
        );
      });
    });
  });
});

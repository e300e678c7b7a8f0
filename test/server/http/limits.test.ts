import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import type { Hub } from '../../../server/src/hub.js';
import {
  createQueue,
  limitsRouter,
  requestTimeout,
  retryAfterHeader,
  DEFAULT_LIMITS,
} from '../../../server/src/http/limits.js';
import { problemHandler } from '../../../server/src/http/problem.js';
import { AppError } from '../../../server/src/errors/app-error.js';
import { MAX_FAILED_LOGINS } from '../../../server/src/modules/auth/login.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { api, makeOrg, makeUser } from '../../support/factories.js';
import { waitFor } from '../../support/process.js';
import { startTestHub } from '../../support/hub.js';

/** A bare express app with the limits in front of `handler`, on a random port. */
async function miniApp(
  setup: (app: express.Express) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  setup(app);
  app.use(retryAfterHeader);
  app.use(problemHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('limits: rate limits, timeouts, bounded queue', () => {
  describe('login on a real hub', () => {
    let hub: Hub;
    before(async () => (hub = await startTestHub()));
    after(() => hub.close());

    it('refuses the 11th login for one username within a minute with 429 and Retry-After', async () => {
      // an unknown username: the auth module's lockout (5 failures per address and username,
      // unknown accounts alike) answers 429 from the 6th try; the 11th is the rate limiter's
      const call = api(hub);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await call('POST', '/api/v1/auth/login', {
          username: 'khong-ton-tai',
          password: `sai-mat-khau-${i}`,
        });
        statuses.push(r.status);
      }
      expect(statuses.slice(0, MAX_FAILED_LOGINS)).to.deep.equal(
        Array(MAX_FAILED_LOGINS).fill(401),
      );
      expect(statuses.slice(MAX_FAILED_LOGINS).every((s) => s === 429)).to.equal(
        true,
        statuses.join(),
      );
      const r = await call('POST', '/api/v1/auth/login', {
        username: 'KHONG-TON-TAI', // case does not make it another account
        password: 'x',
      });
      expect(r.status).to.equal(429);
      expect(r.headers.get('content-type')).to.contain('application/problem+json');
      expect(r.body.code).to.equal('RATE_LIMITED');
      expect(r.body.detail).to.contain('mỗi phút');
      const retry = Number(r.headers.get('retry-after'));
      expect(retry).to.be.within(1, 60);
      // another username from the same address is still allowed
      const other = await call('POST', '/api/v1/auth/login', { username: 'khac', password: 'x' });
      expect(other.status).to.equal(401);
    });

    it('the account lockout (AppError with retryAfter) now carries a Retry-After header', async () => {
      const org = await makeOrg(hub.ctx);
      const user = await makeUser(hub, org, ['clerk']);
      const call = api(hub);
      let last = await call('POST', '/api/v1/auth/login', {
        username: user.username,
        password: 'x',
      });
      for (let i = 0; i < 6 && last.status !== 429; i++) {
        last = await call('POST', '/api/v1/auth/login', { username: user.username, password: 'x' });
      }
      expect(last.status).to.equal(429);
      expect(Number(last.headers.get('retry-after'))).to.be.greaterThan(60);
    });
  });

  describe('per address and per principal (small limits)', () => {
    const small = { ...DEFAULT_LIMITS, loginPerUserIp: 1000, loginPerIp: 3, apiPerPrincipal: 2 };
    let mini: { url: string; close(): Promise<void> };
    before(async () => {
      mini = await miniApp((app) => {
        // stands in for authenticate(): the test says who it is in a header
        app.use('/api', (req, _res, next) => {
          const who = req.header('x-who');
          if (who) {
            const [kind, id] = who.split(':') as [Principal['kind'], string];
            req.principal = { kind, id, orgId: 'o', roles: [], name: id };
          }
          next();
        });
        app.use('/api', limitsRouter(small));
        app.post('/api/v1/auth/login', (_req, res) => void res.status(401).json({}));
        app.get('/api/x', (_req, res) => void res.json({ ok: true }));
      });
    });
    after(() => mini.close());

    const get = (who?: string) =>
      fetch(`${mini.url}/api/x`, { headers: who ? { 'x-who': who } : {} });

    it('spraying many usernames from one address is limited per address', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${mini.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `u${i}`, password: 'x' }),
        });
        codes.push(r.status);
      }
      expect(codes).to.deep.equal([401, 401, 401, 429]);
    });

    it('counts users and API keys separately, anonymous callers per address', async () => {
      expect((await get('user:a')).status).to.equal(200);
      expect((await get('user:a')).status).to.equal(200);
      const limited = await get('user:a');
      expect(limited.status).to.equal(429);
      expect(limited.headers.get('retry-after')).to.match(/^\d+$/);
      expect(((await limited.json()) as { code: string }).code).to.equal('RATE_LIMITED');
      expect((await get('api-key:a')).status).to.equal(200);
      expect((await get('user:b')).status).to.equal(200);
      expect((await get()).status).to.equal(200);
      expect((await get()).status).to.equal(200);
      expect((await get()).status).to.equal(429);
    });
  });

  it('answers 503 with a problem when a handler is too slow, and survives its late answer', async () => {
    const mini = await miniApp((app) => {
      app.use(requestTimeout(150));
      app.get('/slow', (_req, res) => {
        setTimeout(() => res.json({ late: true }), 400);
      });
      app.get('/fast', (_req, res) => void res.json({ ok: true }));
    });
    try {
      // the handler answers 200 after 400 ms: a 503 can only be the timeout's
      const r = await fetch(`${mini.url}/slow`);
      expect(r.status).to.equal(503);
      const body = (await r.json()) as { code: string };
      expect(body.code).to.equal('UNAVAILABLE');
      expect(r.headers.get('retry-after')).to.equal('5');
      await new Promise((res) => setTimeout(res, 400)); // the late res.json runs: no crash
      expect((await fetch(`${mini.url}/fast`)).status).to.equal(200);
    } finally {
      await mini.close();
    }
  });

  describe('createQueue', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('runs at most `concurrency` tasks at once, in arrival order', async () => {
      const q = createQueue({ concurrency: 2, maxPending: 10 });
      let running = 0;
      let peak = 0;
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 7 }, (_, i) =>
          q.run(async () => {
            running++;
            peak = Math.max(peak, running);
            order.push(i);
            await sleep(10);
            running--;
          }),
        ),
      );
      expect(peak).to.equal(2);
      expect(order).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
      expect(q.active).to.equal(0);
      expect(q.pending).to.equal(0);
    });

    it('refuses beyond maxPending with UNAVAILABLE and retryAfter; a failing task frees its slot', async () => {
      const q = createQueue({ concurrency: 1, maxPending: 1, retryAfterSeconds: 7, name: 'ký số' });
      const first = q.run(async () => {
        await sleep(30);
        throw new Error('boom');
      });
      const second = q.run(async () => 'two');
      expect(q.pending).to.equal(1);
      const err = await q.run(async () => 'three').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).code).to.equal('UNAVAILABLE');
      expect((err as AppError).extra).to.deep.equal({ retryAfter: 7 });
      expect((err as AppError).detail).to.contain('ký số');
      await first.catch(() => undefined);
      expect(await second).to.equal('two');
      expect(await q.run(async () => 'after')).to.equal('after');
    });

    it('a refusal reaches the client as 503 with a Retry-After header', async () => {
      const q = createQueue({ concurrency: 1, maxPending: 0, retryAfterSeconds: 9 });
      // the first signing holds the only slot until the second was answered: a fixed sleep let
      // a loaded machine answer the second before the first had reached the queue
      let finishFirst: () => void = () => undefined;
      const firstHeld = new Promise<void>((resolve) => (finishFirst = resolve));
      const mini = await miniApp((app) => {
        app.get('/sign', async (_req, res, next) => {
          try {
            res.json(await q.run(async () => (await firstHeld, { signed: true })));
          } catch (e) {
            next(e);
          }
        });
      });
      try {
        const a = fetch(`${mini.url}/sign`);
        await waitFor(async () => (q.active === 1 ? true : undefined), 10_000);
        const b = await fetch(`${mini.url}/sign`);
        expect(b.status).to.equal(503);
        expect(b.headers.get('retry-after')).to.equal('9');
        expect(((await b.json()) as { code: string }).code).to.equal('UNAVAILABLE');
        finishFirst();
        expect((await a).status).to.equal(200);
      } finally {
        await mini.close();
      }
    });
  });
});

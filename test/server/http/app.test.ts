import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { AppError } from '../../../server/src/errors/app-error.js';
import { createApp } from '../../../server/src/http/app.js';
import type { Hub } from '../../../server/src/hub.js';
import { makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub, type ProblemBody } from '../../support/hub.js';

describe('HTTP foundation', () => {
  let hub: Hub;
  let hubAdmin: TestUser;
  before(async () => {
    hub = await startTestHub({ BODY_LIMIT: '2kb' });
    // bodies are read only from authenticated callers (outside the public routes)
    hubAdmin = await makeUser(hub, await makeOrg(hub.ctx), ['hub_admin']);
  });
  after(() => hub.close());

  it('answers /healthz and /readyz with the engine mode and version', async () => {
    expect((await fetch(`${hub.url}/healthz`)).status).to.equal(200);
    const res = await fetch(`${hub.url}/readyz`);
    const body = (await res.json()) as { mongodb: { mode: string; version: string } };
    expect(res.status).to.equal(200);
    expect(body.mongodb.mode).to.equal('uri');
    expect(body.mongodb.version).to.match(/^\d+\.\d+/);
  });

  it('answers an unknown route with a 404 problem carrying the request id', async () => {
    const res = await fetch(`${hub.url}/api/v1/khong-co`, {
      headers: { 'x-request-id': 'req-42' },
    });
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    const p = (await res.json()) as ProblemBody & { requestId: string };
    expect(p).to.include({ status: 404, code: 'ROUTE_NOT_FOUND', requestId: 'req-42' });
    expect(p.title).to.equal('Không có đường dẫn này');
  });

  it('speaks English when asked', async () => {
    const res = await fetch(`${hub.url}/api/v1/nope`, { headers: { 'accept-language': 'en-US' } });
    expect(((await res.json()) as ProblemBody).title).to.equal('No such route');
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${hubAdmin.token}`,
    };
    const bad = await fetch(`${hub.url}/api/v1/x`, { method: 'POST', headers, body: '{"a":' });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as ProblemBody).code).to.equal('MALFORMED_JSON');
    const big = await fetch(`${hub.url}/api/v1/x`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ a: 'x'.repeat(5000) }),
    });
    expect(big.status).to.equal(413);
    expect(((await big.json()) as ProblemBody).code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('serves Prometheus metrics to a hub_admin', async () => {
    const res = await fetch(`${hub.url}/metrics`, {
      headers: { authorization: `Bearer ${hubAdmin.token}` },
    });
    expect(res.status).to.equal(200);
    const text = await res.text();
    expect(text).to.contain('http_request_duration_seconds_bucket');
    expect(text).to.contain('socketio_connections');
    expect(text).to.contain('mongodb_pool_connections');
  });

  describe('errors thrown by handlers', () => {
    let server: Server;
    let url: string;
    before(async () => {
      const router = Router();
      router.get('/boom', () => {
        throw new Error('secret internal path /etc/lienthong');
      });
      router.get('/domain', () => {
        throw new AppError('INVALID_STATE', 'văn bản đã bị thu hồi');
      });
      server = createServer(createApp(hub.ctx, [{ path: '/t', router }]));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it('turns an unexpected error into a 500 with an error id and no internals', async () => {
      const res = await fetch(`${url}/t/boom`);
      const text = await res.text();
      expect(res.status).to.equal(500);
      expect(text).not.to.contain('/etc/lienthong');
      expect(text).not.to.contain('at ');
      expect((JSON.parse(text) as { errorId: string }).errorId).to.match(/^[0-9a-f-]{36}$/);
    });

    it('maps a domain error to its status and code', async () => {
      const res = await fetch(`${url}/t/domain`);
      expect(res.status).to.equal(409);
      expect(await res.json()).to.include({
        code: 'INVALID_STATE',
        detail: 'văn bản đã bị thu hồi',
      });
    });
  });
});

describe('HTTP foundation: odd requests', () => {
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  it('answers a malformed %-escape in a route parameter with 400, not 500', async () => {
    const res = await fetch(`${hub.url}/api/v1/orgs/%E0%A4%A`, {
      headers: { authorization: 'Bearer x' },
    });
    expect(res.status).to.be.within(400, 401);
    const res2 = await fetch(`${hub.url}/api/v1/receipt-keys/%E0%A4%A`);
    expect(res2.status).to.equal(400);
  });
});

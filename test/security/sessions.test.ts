import { request } from 'node:http';
import { expect } from 'chai';
import { SignJWT } from 'jose';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { MAX_FAILED_LOGINS } from '../../server/src/modules/auth/login.js';
import { TEST_PASSWORD, api, loginAs, makeOrg, makeUser } from '../support/factories.js';
import { startTestHub } from '../support/hub.js';
import { connectSocket, type TestSocket } from '../support/sockets.js';

/** Resolves with the reason once the hub ends the socket; rejects if it is still open after `ms`. */
function disconnected(s: TestSocket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!s.connected) return resolve('already');
    const t = setTimeout(() => reject(new Error(`socket still connected after ${ms} ms`)), ms);
    s.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

/** A login from another loopback address (127.0.0.2): another person's machine. */
function loginFrom(
  hub: Hub,
  localAddress: string,
  username: string,
  password: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      `${hub.url}/api/v1/auth/login`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('security: sessions end at once (M7) and logins do not tell accounts apart (M3)', function () {
  this.timeout(60_000);
  let hub: Hub;
  let org: TOrg;

  before(async () => {
    hub = await startTestHub();
    org = await makeOrg(hub.ctx);
  });
  after(() => hub.close());

  it('the access token answers 401 right after logout, and its socket is disconnected', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const t = await loginAs(hub, u.username);
    const socket = await connectSocket(hub, t.accessToken);
    expect((await api(hub, t.accessToken)('GET', '/api/v1/auth/me')).status).to.equal(200);
    const ended = disconnected(socket, 5_000);

    const out = await api(hub, t.accessToken)('POST', '/api/v1/auth/logout', {
      refreshToken: t.refreshToken,
    });
    expect(out.status).to.equal(204);

    const after = await api(hub, t.accessToken)('GET', '/api/v1/auth/me');
    expect(after.status).to.equal(401);
    expect(after.body.code).to.equal('UNAUTHENTICATED');
    expect(await ended).to.equal('io server disconnect');
    const refresh = await api(hub)('POST', '/api/v1/auth/refresh', {
      refreshToken: t.refreshToken,
    });
    expect(refresh.status).to.equal(401);
    // the same token can no longer open a socket either
    let refused: unknown;
    await connectSocket(hub, t.accessToken).then(
      (s) => s.close(),
      (err: unknown) => (refused = err),
    );
    expect(String(refused)).to.contain('UNAUTHENTICATED');
  });

  it('logging out ends that session only: another login of the same user keeps working', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const a = await loginAs(hub, u.username);
    const b = await loginAs(hub, u.username);
    await api(hub, a.accessToken)('POST', '/api/v1/auth/logout', { refreshToken: a.refreshToken });
    expect((await api(hub, a.accessToken)('GET', '/api/v1/auth/me')).status).to.equal(401);
    expect((await api(hub, b.accessToken)('GET', '/api/v1/auth/me')).status).to.equal(200);
  });

  it('a reused (stolen) refresh token kills the access tokens of its session too', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const first = await loginAs(hub, u.username);
    const rotated = await api(hub)('POST', '/api/v1/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    expect(rotated.status).to.equal(200);
    const fresh = String(rotated.body.accessToken);
    expect((await api(hub, fresh)('GET', '/api/v1/auth/me')).status).to.equal(200);
    const reuse = await api(hub)('POST', '/api/v1/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    expect(reuse.status).to.equal(401);
    expect((await api(hub, fresh)('GET', '/api/v1/auth/me')).status).to.equal(401);
  });

  it('disabling a user or changing its roles ends its access and its sockets at once', async () => {
    const admin = await makeUser(hub, org, ['org_admin']);
    for (const change of [{ active: false }, { roles: ['signer'] }]) {
      const u = await makeUser(hub, org, ['clerk']);
      const t = await loginAs(hub, u.username);
      const socket = await connectSocket(hub, t.accessToken);
      const ended = disconnected(socket, 5_000);
      const r = await api(hub, admin.token)('PATCH', `/api/v1/users/${u.id}`, change);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect((await api(hub, t.accessToken)('GET', '/api/v1/auth/me')).status).to.equal(401);
      expect(await ended).to.equal('io server disconnect');
      const again = await api(hub)('POST', '/api/v1/auth/refresh', {
        refreshToken: t.refreshToken,
      });
      expect(again.status).to.equal(401);
    }
  });

  it("deactivating an organization ends its users' sessions, sockets and API keys", async () => {
    const hubAdmin = await makeUser(hub, org, ['hub_admin']);
    const other = await makeOrg(hub.ctx);
    const admin = await makeUser(hub, other, ['org_admin']);
    const clerk = await makeUser(hub, other, ['clerk']);
    const key = await api(hub, admin.token)('POST', '/api/v1/api-keys', {
      name: 'Hệ thống quản lý văn bản',
      roles: ['clerk'],
    });
    expect(key.status, JSON.stringify(key.body)).to.equal(201);
    const withKey = () =>
      api(hub)('GET', '/api/v1/auth/me', undefined, { 'x-api-key': String(key.body.key) });
    expect((await withKey()).status).to.equal(200);
    const socket = await connectSocket(hub, clerk.token);
    const ended = disconnected(socket, 5_000);

    const off = await api(hub, hubAdmin.token)('PATCH', `/api/v1/orgs/${other.id}`, {
      active: false,
    });
    expect(off.status, JSON.stringify(off.body)).to.equal(200);
    expect((await api(hub, clerk.token)('GET', '/api/v1/auth/me')).status).to.equal(401);
    expect((await api(hub, admin.token)('GET', '/api/v1/auth/me')).status).to.equal(401);
    expect((await withKey()).status).to.equal(401);
    expect(await ended).to.equal('io server disconnect');
    const relogin = await api(hub)('POST', '/api/v1/auth/login', {
      username: clerk.username,
      password: TEST_PASSWORD,
    });
    expect(relogin.status).to.equal(401);
  });

  it('a socket is disconnected when its access token expires', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const t = await loginAs(hub, u.username);
    const { sid } = JSON.parse(
      Buffer.from(t.accessToken.split('.')[1]!, 'base64url').toString(),
    ) as { sid?: string };
    expect(sid, 'the access token names its session').to.be.a('string');
    // the same session's token, expiring in 2 s (signed with the hub's own secret)
    const short = await new SignJWT({ org: org.id, roles: ['clerk'], name: 'x', sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(u.id)
      .setIssuer('lienthong')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(hub.ctx.secrets.jwt);
    const socket = await connectSocket(hub, short);
    expect(await disconnected(socket, 6_000)).to.equal('io server disconnect');
  });

  it('a token without a session (minted with the secret, no sid) is refused', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const orphan = await new SignJWT({ org: org.id, roles: ['clerk'], name: 'x' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(u.id)
      .setIssuer('lienthong')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(hub.ctx.secrets.jwt);
    expect((await api(hub, orphan)('GET', '/api/v1/auth/me')).status).to.equal(401);
  });

  it('a real and an unknown account answer alike to wrong passwords, also after five', async () => {
    const real = await makeUser(hub, org, ['signer']);
    const unknown = `khong-co-${real.username}`;
    const trail = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i <= MAX_FAILED_LOGINS; i++) {
        const r = await api(hub)('POST', '/api/v1/auth/login', { username, password: `sai-${i}` });
        out.push(`${r.status} ${String(r.body.code)} ${String(r.body.detail)}`);
      }
      return out;
    };
    const realTrail = await trail(real.username);
    const unknownTrail = await trail(unknown);
    expect(realTrail).to.deep.equal(unknownTrail);
    expect(realTrail[0]).to.match(/^401 UNAUTHENTICATED/);
    expect(realTrail[MAX_FAILED_LOGINS]).to.match(/^429 RATE_LIMITED/);
  });

  it('failing on purpose from one address does not lock the leader out elsewhere', async () => {
    const leader = await makeUser(hub, org, ['signer'], 'Lê Văn Lãnh Đạo');
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const r = await api(hub)('POST', '/api/v1/auth/login', {
        username: leader.username,
        password: `sai-${i}`,
      });
      expect(r.status).to.equal(401);
    }
    const attacker = await api(hub)('POST', '/api/v1/auth/login', {
      username: leader.username,
      password: TEST_PASSWORD,
    });
    expect(attacker.status, 'the guessing address is held back').to.equal(429);
    const fromOffice = await loginFrom(hub, '127.0.0.2', leader.username, TEST_PASSWORD);
    expect(fromOffice.status, JSON.stringify(fromOffice.body)).to.equal(200);
    expect(fromOffice.body).to.have.property('accessToken');
  });
});

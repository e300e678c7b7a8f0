import { expect } from 'chai';
import { SignJWT } from 'jose';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { MAX_FAILED_LOGINS } from '../../../server/src/modules/auth/login.js';
import { TEST_PASSWORD, api, loginAs, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub, testDbName } from '../../support/hub.js';

describe('auth: login, tokens, users, API keys', () => {
  let hub: Hub;
  let org: TOrg;
  before(async () => {
    hub = await startTestHub();
    org = await makeOrg(hub.ctx);
  });
  after(() => hub.close());

  it('logs in with a password and answers /me', async () => {
    const u = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
    const me = await api(hub, u.token)('GET', '/api/v1/auth/me');
    expect(me.status).to.equal(200);
    expect(me.body).to.include({ username: u.username, fullName: 'Lê Thị Văn Thư', orgId: org.id });
    expect(JSON.stringify(me.body)).not.to.contain('passwordHash');
  });

  it('refuses a wrong password, then locks the account after repeated failures', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const call = api(hub);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const r = await call('POST', '/api/v1/auth/login', {
        username: u.username,
        password: 'sai-mat-khau-1',
      });
      expect(r.status).to.equal(401);
    }
    const locked = await call('POST', '/api/v1/auth/login', {
      username: u.username,
      password: TEST_PASSWORD,
    });
    expect(locked.status).to.equal(429);
    expect(locked.body.code).to.equal('RATE_LIMITED');
  });

  it('rotates refresh tokens and revokes the family when one is reused', async () => {
    const u = await makeUser(hub, org, ['clerk']);
    const first = await loginAs(hub, u.username);
    const call = api(hub);
    const second = await call('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.status).to.equal(200);
    const reuse = await call('POST', '/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.status).to.equal(401);
    const afterTheft = await call('POST', '/api/v1/auth/refresh', {
      refreshToken: (second.body as { refreshToken: string }).refreshToken,
    });
    expect(afterTheft.status).to.equal(401);
  });

  it('refuses forged, expired and unsigned tokens', async () => {
    const forge = (secret: Uint8Array, exp: string) =>
      new SignJWT({ org: org.id, roles: ['hub_admin'], name: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('0123456789abcdef01234567')
        .setIssuer('lienthong')
        .setExpirationTime(exp)
        .sign(secret);
    const forged = await forge(new TextEncoder().encode('k'.repeat(32)), '1h');
    const expired = await forge(hub.ctx.secrets.jwt, '-1s');
    const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'x', org: org.id, roles: ['hub_admin'], iss: 'lienthong' }),
    ).toString('base64url');
    for (const token of [forged, expired, `${header}.${payload}.`, 'garbage']) {
      const r = await api(hub, token)('GET', '/api/v1/auth/me');
      expect(r.status, token).to.equal(401);
    }
  });

  it('refuses $-operators and unknown fields with 400 and changes nothing', async () => {
    const call = api(hub);
    const inj = await call('POST', '/api/v1/auth/login', {
      username: { $ne: null },
      password: { $gt: '' },
    });
    expect(inj.status).to.equal(400);
    const extra = await call('POST', '/api/v1/auth/login', {
      username: 'a',
      password: 'b',
      admin: true,
    });
    expect(extra.status).to.equal(400);
    expect(extra.body.code).to.equal('VALIDATION_FAILED');
  });

  it('lets an org admin create users in their own organization only', async () => {
    const admin = await makeUser(hub, org, ['org_admin']);
    const other = await makeOrg(hub.ctx);
    const call = api(hub, admin.token);
    const user = {
      username: `lanh.dao.${Date.now()}`,
      fullName: 'Trần Văn Lãnh Đạo',
      roles: ['signer'],
      password: 'Ky-so-2026-an-toan',
    };
    expect((await call('POST', '/api/v1/users', user)).status).to.equal(201);
    const cross = await call('POST', '/api/v1/users', {
      ...user,
      username: `x${Date.now()}`,
      orgId: other.id,
    });
    expect(cross.status).to.equal(403);
    const hubAdmin = await call('POST', '/api/v1/users', {
      ...user,
      username: `y${Date.now()}`,
      roles: ['hub_admin'],
    });
    expect(hubAdmin.status).to.equal(403);
    const clerk = await makeUser(hub, org, ['clerk']);
    expect(
      (
        await api(hub, clerk.token)('POST', '/api/v1/users', {
          ...user,
          username: `z${Date.now()}`,
        })
      ).status,
    ).to.equal(403);
  });

  it('issues API keys shown once, stored hashed, usable and revocable', async () => {
    const admin = await makeUser(hub, org, ['org_admin']);
    const created = await api(hub, admin.token)('POST', '/api/v1/api-keys', {
      name: 'Hệ thống QLVB',
      roles: ['clerk'],
    });
    expect(created.status).to.equal(201);
    const key = created.body.key as string;
    expect(key).to.match(/^ltk_/);
    const stored = await hub.ctx.db.conn.collection('apikeys').findOne({});
    expect(JSON.stringify(stored)).not.to.contain(key.split('_')[2]);
    const me = await api(hub)('GET', '/api/v1/auth/me', undefined, { 'x-api-key': key });
    expect(me.status).to.equal(200);
    const list = await api(hub, admin.token)('GET', '/api/v1/api-keys');
    expect(JSON.stringify(list.body)).not.to.contain(key);
    await api(hub, admin.token)('DELETE', `/api/v1/api-keys/${created.body.id as string}`);
    expect(
      (await api(hub)('GET', '/api/v1/auth/me', undefined, { 'x-api-key': key })).status,
    ).to.equal(401);
  });
});

describe('several hub nodes starting on one empty database', () => {
  it('all start, with one hub admin and one PKI hierarchy', async () => {
    const db = testDbName('multi');
    // Nodes of one deployment share their secrets, as they share the database.
    const env = { LIENTHONG_MASTER_KEY: 'ab'.repeat(32), JWT_SECRET: 'cd'.repeat(32) };
    const hubs = await Promise.all([
      startTestHub(env, db),
      startTestHub(env, db),
      startTestHub(env, db),
    ]);
    try {
      const admins = await hubs[0]!.ctx.db.conn
        .collection('users')
        .countDocuments({ roles: 'hub_admin' });
      expect(admins).to.equal(1);
      const roots = await Promise.all(
        hubs.map(async (h) => (await fetch(`${h.url}/pki/root-ca.pem`)).text()),
      );
      expect(new Set(roots).size).to.equal(1);
    } finally {
      await Promise.all(hubs.map((h) => h.close()));
    }
  });
});

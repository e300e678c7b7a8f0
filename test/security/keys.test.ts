/**
 * Key protection: private keys sealed at rest, never returned by any GET route, signing only with
 * a fresh password, every signing act and certificate change in the audit log; and no secret in
 * the hub's log.
 */
import { expect } from 'chai';
import { createPrivateKey } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../server/src/config/config.js';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import { startHub, type Hub } from '../../server/src/hub.js';
import { REDACTED_PATHS } from '../../server/src/logger.js';
import {
  TEST_PASSWORD,
  api,
  loginAs,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../support/factories.js';
import { startTestHub, testDbName, testMongoUri } from '../support/hub.js';
import { runTempDir } from '../support/process.js';

const META = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-01-05',
  subject: 'V/v kiểm thử khóa ký',
  signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
};

/** PKCS#8 / PKCS#1 DER in base64 begins with these (RSA-2048/3072/4096, P-256, P-384). */
const KEY_DER_BASE64 = /MIIE[vp]|MIIG|MIIJ|MIGHAgEA|MIG2AgEA|MHcCAQEE/;

/** True when `bytes` parse as an unencrypted private key in any DER form. */
function isPlainPrivateKey(bytes: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      /* not this form */
    }
  }
  return false;
}

/** Every Buffer/Binary and long base64 string inside a raw Mongo document. */
function blobs(value: unknown, out: Buffer[] = []): Buffer[] {
  if (Buffer.isBuffer(value)) out.push(value);
  else if (
    value &&
    typeof value === 'object' &&
    'buffer' in value &&
    (value as { _bsontype?: string })._bsontype === 'Binary'
  )
    out.push(Buffer.from((value as { buffer: Uint8Array }).buffer));
  else if (typeof value === 'string' && value.length > 100 && /^[A-Za-z0-9+/=\s]+$/.test(value))
    out.push(Buffer.from(value, 'base64'));
  else if (Array.isArray(value)) value.forEach((v) => blobs(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => blobs(v, out));
  return out;
}

async function upload(hub: Hub, user: TestUser): Promise<{ id: string; currentVersionId: string }> {
  const form = new FormData();
  form.append('meta', JSON.stringify(META));
  form.append('file', new Blob([await tinyPdf()]), 'cong-van.pdf');
  const res = await fetch(`${hub.url}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
  expect(res.status).to.equal(201);
  return (await res.json()) as { id: string; currentVersionId: string };
}

describe('security: key protection and audit of signing', function () {
  this.timeout(120_000);
  let hub: Hub;
  let org: TOrg;
  let admin: TestUser;
  let clerk: TestUser;
  let leader: TestUser;
  let auditor: TestUser;
  let hubAdmin: TestUser;
  let sealId: string;
  let personalId: string;

  before(async () => {
    hub = await startTestHub();
    org = await makeOrg(hub.ctx);
    admin = await makeUser(hub, org, ['org_admin']);
    clerk = await makeUser(hub, org, ['clerk']);
    leader = await makeUser(hub, org, ['signer']);
    auditor = await makeUser(hub, org, ['auditor']);
    hubAdmin = await makeUser(hub, org, ['hub_admin']);
    const seal = await api(hub, admin.token)('POST', '/api/v1/certificates/seal', {
      algorithm: 'p256',
    });
    expect(seal.status, JSON.stringify(seal.body)).to.equal(201);
    sealId = String(seal.body.id);
    const personal = await api(hub, admin.token)('POST', '/api/v1/certificates/personal', {
      userId: leader.id,
    });
    expect(personal.status, JSON.stringify(personal.body)).to.equal(201);
    personalId = String(personal.body.id);
  });
  after(async () => hub.close());

  it('keeps no plain private key in any collection (PKI, receipt keys, everything)', async () => {
    // a signature makes the hub create its receipt/TSA keys too
    const doc = await upload(hub, clerk);
    const signed = await api(hub, clerk.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
      certificateId: sealId,
      kind: 'seal',
      level: 'B-B',
      confirmPassword: TEST_PASSWORD,
    });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(201);
    const db = hub.ctx.db.conn.db!;
    const names = (await db.listCollections().toArray()).map((c) => c.name);
    expect(names.some((n) => /certificate/i.test(n))).to.equal(true);
    let sealedKeys = 0;
    for (const name of names) {
      const docs = await db.collection(name).find({}).toArray();
      const dump = JSON.stringify(docs);
      expect(dump, name).to.not.include('PRIVATE KEY');
      for (const b of blobs(docs)) expect(isPlainPrivateKey(b), name).to.equal(false);
      sealedKeys += docs.filter((d) => d.sealedKey).length;
    }
    expect(sealedKeys, 'sealed keys found').to.be.greaterThan(1);
  });

  it('never returns private key material from any GET route (OpenAPI crawl as hub_admin)', async () => {
    const spec = (await (await fetch(`${hub.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const doc = await upload(hub, clerk);
    const ids: Record<string, string> = {
      id: doc.id,
      documentId: doc.id,
      versionId: doc.currentVersionId,
      orgId: org.id,
      certificateId: sealId,
      userId: leader.id,
    };
    let crawled = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!('get' in ops)) continue;
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => ids[name] ?? personalId);
      for (const token of [hubAdmin.token, admin.token]) {
        const res = await fetch(`${hub.url}${url}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = Buffer.from(await res.arrayBuffer());
        crawled++;
        const text = body.toString('latin1');
        expect(text, url).to.not.include('PRIVATE KEY');
        expect(text, url).to.not.match(
          new RegExp(`"[^"]*key[^"]*"\\s*:\\s*"(${KEY_DER_BASE64.source})`, 'i'),
        );
        expect(isPlainPrivateKey(body), url).to.equal(false);
        if (/json/.test(res.headers.get('content-type') ?? '')) {
          for (const b of blobs(JSON.parse(body.toString('utf8'))))
            expect(isPlainPrivateKey(b), url).to.equal(false);
        }
      }
    }
    expect(crawled).to.be.greaterThan(20);
    // the certificate downloads themselves hold certificates only
    for (const id of [sealId, personalId]) {
      const pem = await (
        await fetch(`${hub.url}/api/v1/certificates/${id}/chain.pem`, {
          headers: { authorization: `Bearer ${hubAdmin.token}` },
        })
      ).text();
      expect(pem).to.match(/BEGIN CERTIFICATE/);
      expect(pem).to.not.match(/PRIVATE KEY/);
    }
  });

  it('signs only with a fresh, correct password: wrong or missing → no new version', async () => {
    const doc = await upload(hub, clerk);
    const sign = (body: Record<string, unknown>) =>
      api(hub, leader.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
        certificateId: personalId,
        kind: 'personal',
        level: 'B-B',
        ...body,
      });
    expect((await sign({ confirmPassword: 'sai-mật-khẩu' })).status).to.equal(403);
    expect((await sign({})).status).to.equal(400);
    expect((await sign({ confirmPassword: '' })).status).to.be.within(400, 403);
    const now = await api(hub, leader.token)('GET', `/api/v1/documents/${doc.id}`);
    expect((now.body.versions as unknown[]).length).to.equal(1);
    const ok = await sign({ confirmPassword: TEST_PASSWORD });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect((ok.body.versions as unknown[]).length).to.equal(2);
  });

  it('writes every signing act and certificate issuance/revocation to the audit log', async () => {
    const doc = await upload(hub, clerk);
    const signed = await api(hub, leader.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
      certificateId: personalId,
      kind: 'personal',
      level: 'B-B',
      confirmPassword: TEST_PASSWORD,
    });
    expect(signed.status).to.equal(201);
    const extra = await api(hub, admin.token)('POST', '/api/v1/certificates/seal', {
      algorithm: 'p256',
    });
    const revoked = await api(hub, admin.token)(
      'POST',
      `/api/v1/certificates/${String(extra.body.id)}/revoke`,
      {
        reason: 1,
      },
    );
    expect(revoked.status, JSON.stringify(revoked.body)).to.be.within(200, 201);
    type Entry = { action: string; target: { type: string; id: string } };
    let entries: Entry[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await api(hub, auditor.token)('GET', '/api/v1/audit?limit=200');
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      entries = ((r.body.items ?? r.body) as Entry[]) ?? [];
      if (entries.some((e) => e.target?.id === doc.id && /signed/.test(e.action))) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const actions = entries.map((e) => `${e.action}:${e.target?.id}`);
    expect(actions).to.include(`document.signed.personal:${doc.id}`);
    expect(actions).to.include(`certificate.issued.seal:${sealId}`);
    expect(actions).to.include(`certificate.issued.personal:${personalId}`);
    expect(actions).to.include(`certificate.revoked:${String(extra.body.id)}`);
  });
});

describe('security: logs never contain secrets', function () {
  this.timeout(120_000);

  it('keeps passwords, tokens, API keys and private keys out of a debug log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    // the hub's own logger settings (level, redaction) with a destination we can read
    const log = pino(
      { level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } },
      sink,
    );
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'debug',
      DATA_DIR: runTempDir('hub-'),
      MONGODB_URI: testMongoUri(),
    });
    const hub = await startHub(config, { log, dbName: testDbName('logs') });
    try {
      const org = await makeOrg(hub.ctx);
      const admin = await makeUser(hub, org, ['org_admin']);
      const clerk = await makeUser(hub, org, ['clerk']);
      const tokens = await loginAs(hub, clerk.username);
      await api(hub)('POST', '/api/v1/auth/login', {
        username: clerk.username,
        password: 'sai-Mật-khẩu-42',
      });
      const refreshed = await api(hub)('POST', '/api/v1/auth/refresh', {
        refreshToken: tokens.refreshToken,
      });
      const key = await api(hub, admin.token)('POST', '/api/v1/api-keys', {
        name: 'QLVB',
        roles: ['clerk'],
      });
      const apiKey = String(key.body.key);
      await fetch(`${hub.url}/api/v1/auth/me`, { headers: { 'x-api-key': apiKey } });
      await fetch(`${hub.url}/api/v1/documents?token=${tokens.accessToken}`, {
        headers: { 'x-api-key': apiKey },
      });
      const seal = await api(hub, admin.token)('POST', '/api/v1/certificates/seal', {
        algorithm: 'p256',
      });
      const doc = await upload(hub, clerk);
      const signed = await api(hub, clerk.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
        certificateId: String(seal.body.id),
        kind: 'seal',
        level: 'B-B',
        confirmPassword: TEST_PASSWORD,
      });
      expect(signed.status).to.equal(201);
      await new Promise((r) => setTimeout(r, 200));
      const all = lines.join('');
      expect(lines.length).to.be.greaterThan(10);
      const secrets = {
        password: TEST_PASSWORD,
        wrongPassword: 'sai-Mật-khẩu-42',
        accessToken: tokens.accessToken,
        adminToken: admin.token,
        refreshToken: tokens.refreshToken,
        rotatedRefresh: String(refreshed.body.refreshToken),
        apiKeySecret: apiKey.split('_').slice(2).join('_'),
        jwtSecret: hub.ctx.secrets.jwt.toString('base64'),
        masterKey: hub.ctx.secrets.master.toString('base64'),
      };
      for (const [what, value] of Object.entries(secrets)) {
        expect(value.length, what).to.be.greaterThan(8);
        expect(all, what).to.not.include(value);
      }
      expect(all).to.not.include('PRIVATE KEY');
      expect(all).to.not.match(KEY_DER_BASE64);
    } finally {
      await hub.close();
    }
  });
});

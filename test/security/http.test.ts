/**
 * Input and authentication hardening against a real hub (startTestHub): schema strictness,
 * NoSQL-operator refusal, PDF type by parsing, file-name sanitizing, problem bodies without
 * internals, security headers and CSP, CORS, JWT forgery, refresh-token reuse, lockout, API keys
 * hashed at rest, and Socket.IO authentication and organization isolation.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { MAX_FAILED_LOGINS } from '../../server/src/modules/auth/login.js';
import { publishEvents } from '../../server/src/modules/events/publish.js';
import {
  TEST_PASSWORD,
  api,
  loginAs,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../support/factories.js';
import { startTestHub } from '../support/hub.js';
import { connectSocket } from '../support/sockets.js';

const META = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-01-05',
  subject: 'V/v kiểm thử an toàn',
  signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
};

type Res = { status: number; body: Record<string, unknown>; text: string; headers: Headers };

async function send(hub: Hub, path: string, init: RequestInit = {}): Promise<Res> {
  const res = await fetch(`${hub.url}${path}`, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, text, headers: res.headers };
}

function uploadForm(bytes: Uint8Array, name: string, meta: unknown = META): FormData {
  const form = new FormData();
  form.append('meta', JSON.stringify(meta));
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
  return form;
}

/** The smallest JPEG header plus filler: what a renamed photo looks like. */
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]),
  Buffer.alloc(2048, 0x41),
  Buffer.from([0xff, 0xd9]),
]);

/** A PDF whose one stream inflates to 200 MB. */
function bombPdf(): Buffer {
  const z = deflateSync(Buffer.alloc(200 * 1024 * 1024));
  const objs = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>'),
    Buffer.concat([
      Buffer.from(`<< /Length ${z.length} /Filter /FlateDecode >>\nstream\n`),
      z,
      Buffer.from('\nendstream'),
    ]),
  ];
  const parts = [Buffer.from('%PDF-1.7\n')];
  let at = parts[0]!.length;
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(at);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    parts.push(b);
    at += b.length;
  });
  let x = 'xref\n0 5\n0000000000 65535 f\r\n';
  for (const o of offsets) x += `${String(o).padStart(10, '0')} 00000 n\r\n`;
  parts.push(Buffer.from(`${x}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** Stack frames, source paths, module folders: none may reach a client. */
const INTERNALS =
  /\n\s+at |\bat [\w.<>]+ \(|node_modules|\/work\/|\/home\/|\/tmp\/|\.ts:\d+|\.js:\d+|"stack"|MongoServerError|ValidationError:/;

describe('security: HTTP hardening', function () {
  this.timeout(120_000);
  let hub: Hub;
  let orgA: TOrg;
  let orgB: TOrg;
  let adminA: TestUser;
  let clerkA: TestUser;
  let clerkB: TestUser;

  before(async () => {
    hub = await startTestHub();
    orgA = await makeOrg(hub.ctx);
    orgB = await makeOrg(hub.ctx);
    adminA = await makeUser(hub, orgA, ['org_admin']);
    clerkA = await makeUser(hub, orgA, ['clerk']);
    clerkB = await makeUser(hub, orgB, ['clerk']);
  });
  after(async () => hub.close());

  const upload = (user: TestUser, form: FormData) =>
    send(hub, '/api/v1/documents', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });

  describe('input validation', () => {
    it('refuses unknown fields with 400', async () => {
      const login = await api(hub)('POST', '/api/v1/auth/login', {
        username: clerkA.username,
        password: TEST_PASSWORD,
        isAdmin: true,
      });
      expect(login.status).to.equal(400);
      const key = await api(hub, adminA.token)('POST', '/api/v1/api-keys', {
        name: 'hệ thống QLVB',
        roles: ['clerk'],
        orgId: orgB.id,
      });
      expect(key.status).to.equal(400);
      const meta = await upload(
        clerkA,
        uploadForm(await tinyPdf(), 'a.pdf', { ...META, orgId: orgB.id }),
      );
      expect(meta.status).to.equal(400);
    });

    it('refuses $-operators and dotted keys in bodies, query strings and upload metadata', async () => {
      const asA = api(hub, clerkA.token);
      const attempts = [
        await api(hub)('POST', '/api/v1/auth/login', { username: { $ne: 'x' }, password: 'x' }),
        await api(hub)('POST', '/api/v1/auth/login', { username: 'x', password: { $gt: '' } }),
        await asA('POST', '/api/v1/auth/refresh', { refreshToken: 'x', 'a.b': 1 }),
        await asA('GET', '/api/v1/documents?q[$ne]=x'),
        await asA('GET', '/api/v1/documents?status[$regex]=.*'),
        await asA('GET', '/api/v1/documents?a.b=1'),
        await api(hub, adminA.token)('GET', `/api/v1/audit?orgId[$ne]=${orgA.id}`),
        await api(hub, adminA.token)('GET', '/api/v1/users?orgId[$exists]=true'),
      ];
      for (const [i, r] of attempts.entries()) expect(r.status, `attempt ${i}`).to.equal(400);
      const meta = await upload(
        clerkA,
        uploadForm(await tinyPdf(), 'a.pdf', { ...META, signer: { $where: 'sleep(1000)' } }),
      );
      expect(meta.status).to.equal(400);
    });

    it('checks the PDF type by parsing: a .pdf-named JPEG and a PDF bomb are 422', async () => {
      // made before the first request: deflating 200 MB between requests can outlast the
      // hub's keep-alive timeout on a busy machine, and fetch then reuses a closing socket
      const bombBytes = bombPdf();
      const jpeg = await upload(clerkA, uploadForm(JPEG, 'anh-chup.pdf'));
      expect(jpeg.status).to.equal(422);
      const bomb = await upload(clerkA, uploadForm(bombBytes, 'bom.pdf'));
      expect(bomb.status).to.equal(422);
      expect(bomb.body.reason).to.equal('PDF_LIMIT_EXCEEDED');
      for (const [path, headers] of [
        ['/api/v1/validations', { authorization: `Bearer ${clerkA.token}` }],
        ['/api/v1/public/validations', {}],
      ] as const) {
        const validation = await send(hub, path, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/pdf' },
          body: bombBytes,
        });
        expect(validation.status, path).to.equal(422);
        expect(validation.body.reason, path).to.equal('PDF_LIMIT_EXCEEDED');
      }
    });

    it('sanitizes file names: no directories, control or bidi characters', async () => {
      const names = [
        '../../etc/passwd.pdf',
        '..\\..\\windows\\win.ini.pdf',
        'cong\u0000van\u0007.pdf',
        'hoa-don-\u202Efdp.exe',
        '\u200Bvan\u2066ban\u2069.pdf',
        'a<b>c:d"e|f?g*.pdf',
      ];
      for (const name of names) {
        const r = await upload(clerkA, uploadForm(await tinyPdf(), name));
        // busboy refuses a NUL in the multipart file name outright: also safe
        if (name.includes('\u0000') && r.status === 400) continue;
        expect(r.status, name).to.equal(201);
        const versions = r.body.versions as { fileName: string }[];
        const stored = versions[0]!.fileName;
        expect(stored, name).to.not.match(/[/\\]|^\.|[\p{Cc}\p{Cf}<>:"|?*]/u);
        expect(stored, name).to.match(/\.pdf$/);
        const file = await fetch(
          `${hub.url}/api/v1/documents/${String(r.body.id)}/versions/${String(r.body.currentVersionId)}/file`,
          { headers: { authorization: `Bearer ${clerkA.token}` } },
        );
        const disposition = file.headers.get('content-disposition') ?? '';
        expect(disposition, name).to.not.match(/\.\.|[/\\]|[\p{Cc}\u202e]/u);
        await file.arrayBuffer();
      }
    });

    it('never puts stack traces or internal paths in problem responses', async () => {
      const t = { authorization: `Bearer ${clerkA.token}` };
      const json = { ...t, 'content-type': 'application/json' };
      const responses = [
        await send(hub, '/api/v1/auth/login', { method: 'POST', headers: json, body: '{"a":' }),
        await send(hub, '/api/v1/auth/login', {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ username: 'x'.repeat(3_000_000) }),
        }),
        await send(hub, '/api/v1/documents/not-an-id', { headers: t }),
        await send(hub, '/api/v1/documents/000000000000000000000000', { headers: t }),
        await send(hub, '/api/v1/documents/%E0%A4%A', { headers: t }),
        await send(hub, '/api/v1/nowhere/../../etc/passwd', { headers: t }),
        await send(hub, '/api/v1/documents', { method: 'POST', headers: t, body: 'x' }),
        await send(hub, '/api/v1/documents', {
          method: 'POST',
          headers: { ...t, 'content-type': 'multipart/form-data; boundary=zzz' },
          body: '--zzz\r\nContent-Disposition: form-data; name="file"\r\n\r\nbroken',
        }),
        await send(hub, '/api/v1/auth/me', { headers: { authorization: 'Bearer a.b.c' } }),
        await send(hub, '/api/v1/auth/me', {
          headers: { 'x-api-key': 'ltk_xxxxxxxxxxxx_yyyyyyyyyyyyyyyyyyyyyy' },
        }),
        await send(hub, '/api/v1/certificates/seal', { method: 'POST', headers: json, body: '{}' }),
        await send(hub, '/api/v1/public/validations', {
          method: 'POST',
          headers: { 'content-type': 'application/pdf' },
          // its /Root is a reference to itself: once a 500 (TypeError in readDss), now a 422
          body: Buffer.from(
            '%PDF-1.7\n1 0 obj\n1 0 R\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n',
          ),
        }),
        await upload(clerkA, uploadForm(JPEG, 'x.pdf')),
        await upload(clerkA, uploadForm(Buffer.from('%PDF-1.4\n' + '['.repeat(50_000)), 'x.pdf')),
      ];
      for (const [i, r] of responses.entries()) {
        expect(r.status, `response ${i}: ${r.text.slice(0, 200)}`).to.be.within(400, 499);
        expect(r.text, `response ${i}`).to.not.match(INTERNALS);
        expect(r.body.code, `response ${i}`).to.be.a('string');
      }
    });
  });

  describe('headers, CSP and CORS', () => {
    it('sends helmet security headers on API, error and page responses', async () => {
      for (const path of ['/api/v1/auth/me', '/api/nowhere', '/healthz', '/api/docs/']) {
        const r = await send(hub, path, { headers: { authorization: `Bearer ${clerkA.token}` } });
        expect(r.headers.get('x-content-type-options'), path).to.equal('nosniff');
        expect(r.headers.get('x-frame-options'), path).to.match(/^(DENY|SAMEORIGIN)$/);
        expect(r.headers.get('strict-transport-security'), path).to.match(/max-age=\d{7,}/);
        expect(r.headers.get('referrer-policy'), path).to.equal('no-referrer');
        expect(r.headers.get('x-powered-by'), path).to.equal(null);
      }
    });

    it('has a CSP that allows only what the Vite-built client needs', async () => {
      const csp = (await send(hub, '/api/docs/')).headers.get('content-security-policy') ?? '';
      const d = new Map(
        csp.split(';').map((part) => {
          const [name, ...values] = part.trim().split(/\s+/);
          return [name ?? '', values] as const;
        }),
      );
      expect(d.get('default-src')).to.deep.equal(["'self'"]);
      expect(d.get('script-src')).to.deep.equal(["'self'"]);
      expect(d.get('worker-src')).to.have.members(["'self'", 'blob:']);
      expect(d.get('style-src')).to.have.members(["'self'", "'unsafe-inline'"]);
      expect(d.get('img-src')).to.have.members(["'self'", 'data:', 'blob:']);
      expect(d.get('connect-src')).to.have.members(["'self'", 'ws:', 'wss:']);
      expect(d.get('object-src')).to.deep.equal(["'none'"]);
      expect(d.get('frame-ancestors')).to.deep.equal(["'none'"]);
      expect(csp).to.not.match(/unsafe-eval/);
      // the API docs page has no inline script left for the CSP to block
      expect((await send(hub, '/api/docs/')).text).to.not.match(/<script>[^<]/);
      expect((await send(hub, '/api/docs/init.js')).status).to.equal(200);
    });

    it('never allows another origin to read responses (no ACAO, no credentials)', async () => {
      const evil = 'https://evil.example';
      const preflight = await send(hub, '/api/v1/auth/login', {
        method: 'OPTIONS',
        headers: {
          origin: evil,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).to.equal(null);
      expect(preflight.headers.get('access-control-allow-credentials')).to.equal(null);
      const withCreds = await send(hub, '/api/v1/auth/me', {
        headers: { origin: evil, authorization: `Bearer ${clerkA.token}`, cookie: 'sid=1' },
      });
      expect(withCreds.headers.get('access-control-allow-origin')).to.equal(null);
      expect(withCreds.headers.get('access-control-allow-credentials')).to.equal(null);
      // bearer tokens only: no cookie the browser would send along by itself (no CSRF surface)
      const login = await fetch(`${hub.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: evil },
        body: JSON.stringify({ username: clerkA.username, password: TEST_PASSWORD }),
      });
      expect(login.headers.get('set-cookie')).to.equal(null);
      expect(login.headers.get('access-control-allow-origin')).to.equal(null);
    });
  });

  describe('authentication', () => {
    const me = (token: string) =>
      send(hub, '/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });
    const claims = () => ({ org: orgA.id, roles: ['hub_admin'], name: 'kẻ giả mạo' });

    it('refuses forged, expired, alg-none, wrong-issuer and wrong-algorithm tokens', async () => {
      const secret = hub.ctx.secrets.jwt;
      const now = Math.floor(Date.now() / 1000);
      const make = (alg: string, key: Uint8Array, iss = 'lienthong', exp = now + 600) =>
        new SignJWT(claims())
          .setProtectedHeader({ alg })
          .setSubject(clerkA.id)
          .setIssuer(iss)
          .setIssuedAt(now - 10)
          .setExpirationTime(exp)
          .sign(key);
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const payload = { sub: clerkA.id, iss: 'lienthong', exp: now + 600, ...claims() };
      const [h, , sig] = clerkA.token.split('.');
      const tokens = {
        forged: await make('HS256', Buffer.from('not-the-hub-secret-not-the-hub-secret')),
        expired: await make('HS256', secret, 'lienthong', now - 1),
        wrongIssuer: await make('HS256', secret, 'someone-else'),
        hs512: await make('HS512', Buffer.concat([secret, secret])),
        algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`,
        escalated: `${h}.${b64(payload)}.${sig}`,
      };
      expect((await me(clerkA.token)).status).to.equal(200);
      for (const [what, token] of Object.entries(tokens))
        expect((await me(token)).status, what).to.equal(401);
    });

    it('revokes the whole family when a refresh token is reused', async () => {
      const first = await loginAs(hub, clerkA.username);
      const refresh = (t: string) => api(hub)('POST', '/api/v1/auth/refresh', { refreshToken: t });
      const second = await refresh(first.refreshToken);
      expect(second.status).to.equal(200);
      const reuse = await refresh(first.refreshToken);
      expect(reuse.status).to.equal(401);
      const stolenChild = await refresh(String(second.body.refreshToken));
      expect(stolenChild.status).to.equal(401);
    });

    it('locks an account after repeated wrong passwords, even for the right one', async () => {
      const victim = await makeUser(hub, orgA, ['clerk']);
      const attempt = (password: string) =>
        api(hub)('POST', '/api/v1/auth/login', { username: victim.username, password });
      for (let i = 0; i < MAX_FAILED_LOGINS; i++)
        expect((await attempt(`sai-${i}`)).status).to.equal(401);
      const right = await attempt(TEST_PASSWORD);
      expect(right.status).to.equal(429);
      expect(right.body).to.not.have.property('accessToken');
    });

    it('stores API keys hashed: the secret is nowhere in the database', async () => {
      const created = await api(hub, adminA.token)('POST', '/api/v1/api-keys', {
        name: 'Hệ thống QLVB của sở',
        roles: ['clerk'],
      });
      expect(created.status).to.equal(201);
      const key = String(created.body.key);
      const m = /^ltk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,})$/.exec(key);
      expect(m, key).to.not.equal(null);
      const secretPart = m![2]!;
      expect(
        (await send(hub, '/api/v1/auth/me', { headers: { 'x-api-key': key } })).status,
      ).to.equal(200);
      const raw = await hub.ctx.db.conn.db!.collection('apikeys').find({}).toArray();
      expect(raw.length).to.be.greaterThan(0);
      const dump = JSON.stringify(raw);
      expect(dump).to.not.include(secretPart);
      expect(dump).to.include(createHash('sha256').update(secretPart).digest('hex'));
      const listed = await api(hub, adminA.token)('GET', '/api/v1/api-keys');
      expect(JSON.stringify(listed.body)).to.not.include(secretPart);
    });
  });

  describe('Socket.IO', () => {
    const connectRaw = (auth: object) =>
      new Promise<string>((resolve) => {
        const s = io(hub.url, {
          transports: ['websocket'],
          auth,
          reconnection: false,
          forceNew: true,
        });
        s.once('connect', () => {
          s.close();
          resolve('connected');
        });
        s.once('connect_error', (e) => {
          s.close();
          resolve(e.message);
        });
      });

    it('refuses a handshake without a token or with a forged or expired one', async () => {
      expect(await connectRaw({})).to.equal('UNAUTHENTICATED');
      const forged = await new SignJWT({ org: orgA.id, roles: ['clerk'], name: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(clerkA.id)
        .setIssuer('lienthong')
        .setExpirationTime('10m')
        .sign(Buffer.from('wrong-secret-wrong-secret-wrong-secret'));
      expect(await connectRaw({ token: forged })).to.equal('UNAUTHENTICATED');
      const expired = await new SignJWT({ org: orgA.id, roles: ['clerk'], name: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(clerkA.id)
        .setIssuer('lienthong')
        .setExpirationTime(Math.floor(Date.now() / 1000) - 5)
        .sign(hub.ctx.secrets.jwt);
      expect(await connectRaw({ token: expired })).to.equal('UNAUTHENTICATED');
      expect(await connectRaw({ token: clerkA.token })).to.equal('connected');
    });

    it("never delivers another organization's events, live or through events:replay", async () => {
      const a = await connectSocket(hub, clerkA.token);
      const b = await connectSocket(hub, clerkB.token);
      try {
        const published = await publishEvents(hub.ctx, [
          {
            orgId: orgA.id,
            type: 'document:incoming',
            key: `sec-${Date.now()}`,
            data: { delivery: { id: 'x' } } as never,
          },
        ]);
        await a.waitFor('document:incoming', 1);
        // a replay from 0 asks for everything: B must still get only its own organization's
        const ack = await new Promise<{ lastSeq: number; replayed: number }>((resolve) =>
          b.emit('events:replay', 0, resolve),
        );
        expect(ack.replayed).to.equal(0);
        // a malformed replay request is ignored, not answered with data
        b.emit('events:replay', -1 as never, () => expect.fail('answered a bad replay'));
        b.emit('events:replay', '0' as never, () => expect.fail('answered a bad replay'));
        await new Promise((r) => setTimeout(r, 300));
        expect(b.received.filter((e) => e.orgId !== orgB.id)).to.deep.equal([]);
        expect(b.received.map((e) => e.seq)).to.not.include(published[0]!.seq);
        expect(a.received.every((e) => e.orgId === orgA.id)).to.equal(true);
      } finally {
        a.close();
        b.close();
      }
    });
  });
});

/**
 * C3: the hub serves the web client from client/dist only. Without a build it answers a plain
 * page saying how to build it, and no file from the checkout (secrets, sources, package.json);
 * with a build it serves dist and nothing outside it (no dotfiles, no `..`, no symbolic links
 * leading out). The hub never loads Vite.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createApp } from '../../server/src/http/app.js';
import { clientRouter } from '../../server/src/http/client.js';
import type { Hub } from '../../server/src/hub.js';
import { startTestHub } from '../support/hub.js';
import { REPO } from '../support/process.js';

type Raw = { status: number; type: string; body: string };

/** GET with the path sent byte for byte (fetch would resolve `..` before sending). */
function rawGet(url: string, path: string): Promise<Raw> {
  const { hostname, port } = new URL(url);

  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** The hub's own app (createApp, with the real hub's context) with a client mounted from `dist`. */
async function hubWithClient(hub: Hub, dist: string): Promise<{ url: string; server: Server }> {
  const server = createServer(createApp(hub.ctx, [{ path: '/', router: clientRouter({ dist }) }]));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

/** Text that appears in each file the attack went after, and in nothing the hub should send. */
const FILE_MARKERS = [
  '"name": "lienthong"', // package.json
  'loadOrCreateSecret', // server/src/secrets.ts
  'createRoot', // client/src/main.tsx compiled or not
  'root:x:0:0', // /etc/passwd
  '@vitejs/plugin-react', // client/vite.config.ts
];

function expectNoFile(r: Raw, what: string): void {
  for (const marker of FILE_MARKERS)
    expect(r.body, `${what} leaks ${marker}`).to.not.contain(marker);
}

describe('security: the web client is served from its build only (C3)', function () {
  this.timeout(60_000);
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(async () => hub.close());

  describe('without client/dist', () => {
    let url: string;
    let server: Server;
    before(
      async () => ({ url, server } = await hubWithClient(hub, join(tmpdir(), 'no-dist-here'))),
    );
    after(() => close(server));

    it('answers page paths with a plain Vietnamese page saying how to build the client', async () => {
      for (const path of ['/', '/documents/0123456789abcdef01234567', '/dang-nhap']) {
        const r = await rawGet(url, path);
        expect(r.status, path).to.equal(503);
        expect(r.type, path).to.match(/^text\/html/);
        expect(r.body, path).to.contain('Giao diện web chưa được dựng');
        expect(r.body, path).to.contain('npm run build:client');
        expect(r.body, path).to.not.contain('<script');
      }
    });

    it('never answers a file of the checkout: secrets, sources, configuration', async () => {
      const paths = [
        `/@fs${join(REPO, 'data/secrets/jwt.key')}`,
        `/@fs${join(REPO, 'data/secrets/master.key')}`,
        `/@fs${join(REPO, 'data/secrets/initial-admin.txt')}`,
        `/@fs${join(REPO, 'package.json')}`,
        `/@fs${join(REPO, 'server/src/secrets.ts')}`,
        `/@fs${join(REPO, 'client/vite.config.ts')}`,
        '/@fs/etc/passwd',
        '/src/main.tsx',
        '/@vite/client',
        '/../package.json',
        '/..%2fpackage.json',
        '/.env',
        '/server/src/secrets.ts',
        '/vite.config.ts',
        '/index.html',
      ];
      for (const path of paths) {
        const r = await rawGet(url, path);
        expectNoFile(r, path);
        if (r.status === 503) expect(r.body, path).to.contain('npm run build:client');
        else expect(r.status, `${path}: ${r.body.slice(0, 80)}`).to.be.within(400, 404);
      }
    });

    it('leaves /api, /pki, /healthz and /metrics to the hub', async () => {
      for (const path of ['/api/v1/khong-co', '/pki/khong-co', '/metrics']) {
        const r = await rawGet(url, path);
        expect(r.type, path).to.match(/problem\+json/);
        expect(r.body, path).to.not.contain('build:client');
      }
      expect((await rawGet(url, '/healthz')).body).to.contain('"ok"');
    });
  });

  describe('with client/dist', () => {
    let root: string;
    let dist: string;
    let url: string;
    let server: Server;
    before(async () => {
      root = mkdtempSync(join(tmpdir(), 'lienthong-serve-'));
      dist = join(root, 'dist');
      mkdirSync(join(dist, 'assets'), { recursive: true });
      writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>BUILT-INDEX');
      writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("BUILT-ASSET")');
      writeFileSync(join(dist, 'favicon.svg'), '<svg>BUILT-ICON</svg>');
      writeFileSync(join(dist, '.env'), 'SECRET=DOTFILE-IN-DIST');
      writeFileSync(join(root, 'outside.txt'), 'OUTSIDE-DIST');
      // a link the build never makes: it must not carry a request out of dist
      symlinkSync(join(root, 'outside.txt'), join(dist, 'linked.txt'));
      symlinkSync(root, join(dist, 'assets', 'up'));
      ({ url, server } = await hubWithClient(hub, dist));
    });
    after(async () => {
      await close(server);
      rmSync(root, { recursive: true, force: true });
    });

    it('serves the build: index.html for pages, hashed assets cached for a year', async () => {
      const page = await rawGet(url, '/documents/0123456789abcdef01234567');
      expect(page.status).to.equal(200);
      expect(page.body).to.contain('BUILT-INDEX');
      const asset = await fetch(`${url}/assets/index-abc123.js`);
      expect(asset.status).to.equal(200);
      expect(asset.headers.get('cache-control')).to.contain('immutable');
      expect(await asset.text()).to.contain('BUILT-ASSET');
      expect((await rawGet(url, '/favicon.svg')).body).to.contain('BUILT-ICON');
    });

    it('serves nothing outside dist: no dotfiles, no `..`, no symbolic link out', async () => {
      const paths = [
        '/.env',
        '/assets/../.env',
        '/linked.txt',
        '/assets/up/outside.txt',
        '/../outside.txt',
        '/%2e%2e/outside.txt',
        '/assets/..%2f..%2foutside.txt',
        `/@fs${join(REPO, 'package.json')}`,
        '/src/main.tsx',
      ];
      for (const path of paths) {
        const r = await rawGet(url, path);
        expect(r.body, path).to.not.contain('OUTSIDE-DIST');
        expect(r.body, path).to.not.contain('DOTFILE-IN-DIST');
        expectNoFile(r, path);
        expect(r.status, path).to.be.within(400, 404);
      }
    });
  });

  it('the hub never imports Vite', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(REPO, 'server/src'));
    expect(files.length).to.be.greaterThan(50);
    for (const f of files) {
      expect(readFileSync(f, 'utf8'), f).to.not.match(/from 'vite'|import\('vite'\)/);
    }
  });
});

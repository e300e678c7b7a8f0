import { join } from 'node:path';
import { expect } from 'chai';
import type { ViteDevServer } from 'vite';
import { REPO, freePort } from '../support/process.js';

/**
 * `npm run dev`: Vite's dev server for the client alone, from client/vite.config.ts. It compiles
 * the sources and the shared contracts, and reads nothing else of the checkout through /@fs/.
 * (What the hub serves, built or not, is in test/security/serve.test.ts.)
 */
describe('npm run dev: the Vite dev server for the client', function () {
  this.timeout(60_000);
  let vite: ViteDevServer;
  let url: string;

  before(async () => {
    const { createServer } = await import('vite');
    const port = await freePort();
    vite = await createServer({
      configFile: join(REPO, 'client/vite.config.ts'),
      logLevel: 'silent',
      server: { host: '127.0.0.1', port, strictPort: true, hmr: false, ws: false, watch: null },
      // these tests read transformed sources only; on a fresh clone the dependency pre-bundling
      // would run in the background and close() would cancel it ("The build was canceled")
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    await vite.listen();
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => vite?.close());

  it('answers a page path with index.html pointing at the TypeScript entry', async () => {
    const res = await fetch(`${url}/documents/0123456789abcdef01234567`);
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.contain('<div id="root"></div>');
    expect(html).to.contain('/src/main.tsx');
  });

  it('compiles the TSX sources and the shared contracts they import', async () => {
    const main = await fetch(`${url}/src/main.tsx`);
    expect(main.status).to.equal(200);
    const js = await main.text();
    expect(js).to.contain('createRoot');
    expect(js).not.to.match(/<App \/>/); // JSX was transformed
    const events = await (await fetch(`${url}/src/lib/events.ts`)).text();
    const contract = /from "([^"]*contracts\/events\.ts[^"]*)"/.exec(events)?.[1];
    expect(contract, 'events.ts imports the shared contract').to.be.a('string');
    const shared = await fetch(new URL(contract!, `${url}/src/lib/`));
    expect(shared.status).to.equal(200);
    expect(await shared.text()).to.contain('document:incoming');
  });

  it('refuses every other file of the checkout through /@fs/', async () => {
    for (const rel of [
      'package.json',
      'server/src/secrets.ts',
      'server/src/config/config.ts',
      'README.md',
    ]) {
      const res = await fetch(`${url}/@fs${join(REPO, rel)}`);
      expect(res.status, rel).to.equal(403);
      await res.arrayBuffer();
    }
    const passwd = await fetch(`${url}/@fs/etc/passwd`);
    expect(passwd.status).to.equal(403);
  });
});

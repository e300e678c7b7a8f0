import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { clientRouter } from '../../server/src/http/client.js';

/** A fresh clone has no client/dist: Vite compiles the sources on request. */
describe('clientRouter without a build (Vite middleware mode)', function () {
  this.timeout(60_000);
  let server: Server;
  let url: string;

  before(async () => {
    const app = express();
    app.use(clientRouter({ dist: '/nonexistent-client-dist' }));
    app.use((_req, res) => res.status(404).type('text/plain').send('hub 404'));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

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
    expect(main.headers.get('content-type')).to.match(/javascript/);
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

  it('leaves /api, /pki and /socket.io to the hub', async () => {
    for (const p of ['/api/v1/inbox', '/pki/root-ca.pem', '/socket.io/?EIO=4']) {
      const res = await fetch(`${url}${p}`);
      expect(res.status, p).to.equal(404);
      expect(await res.text()).to.equal('hub 404');
    }
  });
});

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TDispatch } from '../../../server/src/contracts/exchange.js';
import type { Hub } from '../../../server/src/hub.js';
import { api, makeDocument, makeOrg, makeUser } from '../../support/factories.js';
import { startTestHub, testDbName, testMongoUri } from '../../support/hub.js';
import { runCli } from '../../support/process.js';
import { uriWithDb } from '../scale/hub-process.js';

describe('lienthong edxml export / import', function () {
  this.timeout(120_000);
  const secrets = { LIENTHONG_MASTER_KEY: 'ef'.repeat(32), JWT_SECRET: '12'.repeat(32) };
  const db = testDbName('edxmlcli');
  let hub: Hub;
  let dir: string;
  before(async () => {
    hub = await startTestHub(secrets, db);
    dir = mkdtempSync(join(tmpdir(), 'lienthong-edxml-cli-'));
  });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a dispatch as a signed package and imports it back (idempotently)', async () => {
    const sender = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa' });
    const recipient = await makeOrg(hub.ctx, { name: 'UBND huyện Hoằng Hóa' });
    const clerk = await makeUser(hub, sender, ['clerk']);
    const doc = await makeDocument(hub, clerk);
    const sent = await api(hub, clerk.token)('POST', '/api/v1/dispatches', {
      documentId: doc.id,
      recipients: [recipient.id],
    });
    const dispatch = sent.body as unknown as TDispatch;
    const env = { ...secrets, DATA_DIR: dir, MONGODB_URI: uriWithDb(testMongoUri(), db) };
    const file = join(dir, 'pkg.edxml');
    const out = runCli(['edxml', 'export', dispatch.id, '--out', file], env);
    expect(await out.exited, out.output()).to.equal(0);
    const xml = readFileSync(file, 'utf8');
    expect(xml).to.contain('<edXML:MessageHeader>').and.to.contain('V/v triển khai chuyển đổi số');
    const imp = runCli(['edxml', 'import', file], env);
    expect(await imp.exited, imp.output()).to.equal(0);
    const missing = runCli(['edxml', 'export', '0123456789abcdef01234567'], env);
    expect(await missing.exited).to.equal(2);
    expect(missing.output().trim().split('\n')).to.have.length(1);
  });
});

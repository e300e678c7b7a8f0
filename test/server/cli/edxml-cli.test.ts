import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePackage, writePackage } from '../../../server/src/lib/edxml/index.js';
import type { Hub } from '../../../server/src/hub.js';
import { signerForOrg } from '../../../server/src/modules/edxml/edxml-signer.js';
import { Deliveries } from '../../../server/src/modules/exchange/delivery.model.js';
import { api, makeDocument, makeOrg, makeUser, tinyPdf } from '../../support/factories.js';
import { startTestHub, testDbName, testMongoUri } from '../../support/hub.js';
import { runCli } from '../../support/process.js';
import { uriWithDb } from '../scale/hub-process.js';
import { samplePackage } from '../edxml/helpers.js';
import { API, call } from '../../support/call.js';

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
    const sent = await call(hub, clerk.token)(API.exchange.dispatch, {
      body: {
        documentId: doc.id,
        recipients: [recipient.id],
      },
    });
    const dispatch = sent.body;
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

    // a recall made through the API travels as BussinessDocType 1; imported back into the same
    // hub it asks nobody twice
    const recall = await api(hub, clerk.token)('POST', `/api/v1/dispatches/${dispatch.id}/recall`, {
      reason: 'Gửi nhầm nơi nhận',
    });
    expect(recall.status).to.equal(200);
    const revokeFile = join(dir, 'revoke.edxml');
    const exp = runCli(['edxml', 'export', dispatch.id, '--out', revokeFile], env);
    expect(await exp.exited, exp.output()).to.equal(0);
    expect(parsePackage(readFileSync(revokeFile, 'utf8')).bussiness.docType).to.equal(1);
    const back = runCli(['edxml', 'import', revokeFile], env);
    expect(await back.exited, back.output()).to.equal(0);
    const result = JSON.parse(back.output().slice(back.output().indexOf('{'))) as {
      bussinessDocType: number;
      replayed: boolean;
      deliveries: { change: { kind: string; state: string } }[];
    };
    expect(result).to.include({ bussinessDocType: 1, replayed: true });
    expect(result.deliveries.map((d) => d.change)).to.deep.equal([
      { kind: 'recall', state: 'requested' },
    ]);
    const stored = await Deliveries(hub.ctx.db.conn).find({ dispatchId: dispatch.id }).lean();
    expect(stored[0]!.history.filter((h) => h.code === '13')).to.have.length(1);

    // a revocation of a document the hub never saw: one line naming the element, exit 2 (signed
    // with the key the hub signs the sender's packages with, so the sender is bound)
    const p = samplePackage(await tinyPdf('Khong co'));
    p.header.from = { organId: sender.code, organName: sender.name };
    p.header.to = [{ organId: recipient.code, organName: recipient.name }];
    p.bussiness = {
      docType: 1,
      reason: 'Thu hồi văn bản điện tử',
      documentId: `${sender.code},2026/11/28,99999/UBND-VP`,
    };
    const unknownFile = join(dir, 'unknown.edxml');
    const { signer } = await signerForOrg(hub.ctx, sender.id);
    writeFileSync(unknownFile, await writePackage(p, signer));
    const refused = runCli(['edxml', 'import', unknownFile], env);
    expect(await refused.exited).to.equal(2);
    const lines = refused.output().trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include(
      'EDXML_UNKNOWN_ORIGINAL: edXML:TraceHeaderList/edXML:Bussiness/edXML:DocumentId',
    );
  });
});

import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TDocument, TDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TCertificate } from '../../../server/src/contracts/pki.js';
import type { TSigningSession } from '../../../server/src/contracts/signing.js';
import type { Hub } from '../../../server/src/hub.js';
import { SigningSessions } from '../../../server/src/modules/signing/signing-session.model.js';
import { corpusBytes } from '../../support/corpus.js';
import { TEST_PASSWORD, api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { freePort, run, runAsync } from '../../support/process.js';
import { API, call, type BodyOf } from '../../support/call.js';

const META: Partial<TDocumentMeta> = {
  type: 'Quyết định',
  notation: 'QĐ-UBND',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-02-10',
  subject: 'Quyết định phê duyệt kế hoạch chuyển đổi số',
  signer: { fullName: 'Phạm Thị Hoa', position: 'Phó Chủ tịch' },
};

describe('signing: external (key held by the signer, certificate issued from a CSR)', () => {
  let hub: Hub;
  let org: TOrg;
  let leader: TestUser;
  let clerk: TestUser;
  let cert: TCertificate;
  let key: KeyObject;
  let pdf: Uint8Array;
  let tmp: string;
  let nssDir: string;

  before(async () => {
    const port = await freePort();
    hub = await startTestHub({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    pdf = await corpusBytes('letter-objstm');
    org = await makeOrg(hub.ctx, { name: 'Sở Thông tin và Truyền thông Thanh Hóa' });
    leader = await makeUser(hub, org, ['signer'], 'Phạm Thị Hoa');
    clerk = await makeUser(hub, org, ['clerk']);

    tmp = mkdtempSync(join(tmpdir(), 'lienthong-external-'));
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    key = pair.privateKey;
    const keyFile = join(tmp, 'token-key.pem');
    writeFileSync(keyFile, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const csr = run('openssl', [
      'req',
      '-new',
      '-key',
      keyFile,
      '-subj',
      '/CN=Pham Thi Hoa',
      '-out',
      join(tmp, 'req.csr'),
    ]);
    expect(csr.status, csr.out).to.equal(0);
    rmSync(keyFile);
    // the holder asks for their own certificate (an administrator may not: issue #26 H2)
    const issued = await call(hub, leader.token)(API.certificates.issuePersonal, {
      body: {
        userId: leader.id,
        csr: readFileSync(join(tmp, 'req.csr'), 'utf8'),
        algorithm: 'p256',
      },
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    cert = issued.body;
    expect(cert.keyOnHub).to.equal(false);

    nssDir = join(tmp, 'nss');
    mkdirSync(nssDir);
    writeFileSync(join(tmp, 'root.pem'), await (await fetch(`${hub.url}/pki/root-ca.pem`)).text());
    run('certutil', ['-N', '--empty-password', '-d', `sql:${nssDir}`]);
    const added = run('certutil', [
      '-A',
      '-d',
      `sql:${nssDir}`,
      '-n',
      'root',
      '-t',
      'CT,C,C',
      '-i',
      join(tmp, 'root.pem'),
    ]);
    expect(added.status, added.out).to.equal(0);
  });
  after(async () => {
    await hub.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function upload(): Promise<TDocument> {
    const form = new FormData();
    form.append('meta', JSON.stringify(META));
    form.append('file', new Blob([pdf]), 'Quyết định.pdf');
    const res = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk.token}` },
      body: form,
    });
    expect(res.status).to.equal(201);

    return (await res.json()) as TDocument;
  }

  async function open(
    user: TestUser,
    doc: TDocument,
    body: BodyOf<typeof API.signing.openSession>,
  ) {
    return call(hub, user.token)(API.signing.openSession, { params: doc, body });
  }

  /** What a token's "sign hash" does: ECDSA over the digest, raw r||s (IEEE P1363). */
  function signOnDevice(s: TSigningSession): string {
    const dataToSign = Buffer.from(s.dataToSign, 'base64');
    // Node signs data, not a bare hash: sign the signed attributes whose SHA-256 is the digest
    expect(createHash('sha256').update(dataToSign).digest('base64')).to.equal(s.digest);
    const raw = sign('sha256', dataToSign, { key, dsaEncoding: 'ieee-p1363' });
    expect(raw.length).to.equal(64);

    return raw.toString('base64');
  }

  async function versions(doc: TDocument): Promise<TDocument> {
    return (await call(hub, clerk.token)(API.documents.get, { params: { id: doc.id } })).body;
  }

  it('round trip: digest out, raw r||s back, a new version that pdfsig and qpdf accept', async () => {
    const doc = await upload();
    const opened = await open(leader, doc, { certificateId: cert.id, reason: 'Phê duyệt' });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const s = opened.body;
    expect(s).to.include({ digestAlgorithm: 'sha256', algorithm: 'ECDSA', documentId: doc.id });
    const minutes = (Date.parse(s.expiresAt) - Date.now()) / 60_000;
    expect(minutes).to.be.within(14, 15.1);
    const good = signOnDevice(s);

    // a signature that does not verify: 422, nothing stored, the session stays usable
    const bad = Buffer.from(good, 'base64');
    bad[10] = bad[10]! ^ 0xff;
    const refused = await api(hub, leader.token)('PUT', `/api/v1/signing-sessions/${s.sessionId}`, {
      signature: bad.toString('base64'),
    });
    expect(refused.status).to.equal(422);
    expect((await versions(doc)).versions).to.have.length(1);

    // only the user who opened the session may complete it
    const other = await api(hub, clerk.token)('PUT', `/api/v1/signing-sessions/${s.sessionId}`, {
      signature: good,
    });
    expect(other.status).to.equal(404);

    const done = await call(hub, leader.token)(API.signing.completeSession, {
      params: { id: s.sessionId },
      body: {
        signature: good,
      },
    });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const signed = done.body;
    expect(signed.status).to.equal('signed');
    expect(signed.versions).to.have.length(2);
    expect(signed.versions[1]!.signature).to.include({
      signer: 'Phạm Thị Hoa',
      kind: 'personal',
      level: 'B-T',
      certificateSerial: cert.serialHex.toLowerCase(),
    });

    const again = await api(hub, leader.token)('PUT', `/api/v1/signing-sessions/${s.sessionId}`, {
      signature: good,
    });
    expect(again.status).to.equal(409);

    const res = await fetch(
      `${hub.url}/api/v1/documents/${doc.id}/versions/${signed.currentVersionId}/file`,
      { headers: { authorization: `Bearer ${leader.token}` } },
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, pdf.byteLength)).equals(Buffer.from(pdf))).to.equal(true);
    const file = join(tmp, 'external.pdf');
    writeFileSync(file, bytes);
    const report = (await runAsync('pdfsig', ['-nssdir', `sql:${nssDir}`, file])).out;
    expect(report).to.contain('Signer Certificate Common Name: Phạm Thị Hoa');
    expect(report).to.contain('Signature Validation: Signature is Valid.');
    expect(report).to.contain('Certificate Validation: Certificate is Trusted.');
    const qpdf = run('qpdf', ['--check', file]);
    expect(qpdf.status, qpdf.out).to.equal(0);
  });

  it('accepts the certificate as PEM too (chain completed from the hub CA)', async () => {
    const doc = await upload();
    const opened = await open(leader, doc, {
      certificatePem: cert.certificatePem,
      algorithm: 'ECDSA',
      level: 'B-B',
    });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const s = opened.body;
    const done = await call(hub, leader.token)(API.signing.completeSession, {
      params: { id: s.sessionId },
      body: {
        signature: signOnDevice(s),
      },
    });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.versions[1]!.signature?.level).to.equal('B-B');
  });

  it('refuses to complete an expired session (409) and an unknown one (404)', async () => {
    const doc = await upload();
    const s = (await open(leader, doc, { certificateId: cert.id })).body;
    await SigningSessions(hub.ctx.db.conn).updateOne(
      { _id: new Types.ObjectId(s.sessionId) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    const late = await api(hub, leader.token)('PUT', `/api/v1/signing-sessions/${s.sessionId}`, {
      signature: signOnDevice(s),
    });
    expect(late.status).to.equal(409);
    expect(late.body.detail).to.match(/hết hạn/);
    const unknown = await api(hub, leader.token)(
      'PUT',
      `/api/v1/signing-sessions/${new Types.ObjectId()}`,
      { signature: signOnDevice(s) },
    );
    expect(unknown.status).to.equal(404);
    expect((await versions(doc)).versions).to.have.length(1);
  });

  it("refuses another user's CSR certificate, other organizations' documents, and hub signing without a hub key", async () => {
    const doc = await upload();
    const otherSigner = await makeUser(hub, org, ['signer']);
    expect((await open(otherSigner, doc, { certificateId: cert.id })).status).to.equal(403);
    const stranger = await makeUser(hub, await makeOrg(hub.ctx), ['signer']);
    expect((await open(stranger, doc, { certificateId: cert.id })).status).to.equal(404);
    const direct = await api(hub, leader.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
      certificateId: cert.id,
      kind: 'personal',
      confirmPassword: TEST_PASSWORD,
    });
    expect(direct.status).to.equal(409);
    expect((await versions(doc)).versions).to.have.length(1);
  });
});

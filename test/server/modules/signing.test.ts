import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { expect } from 'chai';
import type { TDocument, TDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TCertificate } from '../../../server/src/contracts/pki.js';
import type { Hub } from '../../../server/src/hub.js';
import { guardTimestamp } from '../../../server/src/modules/signing/tsa-guard.js';
import { corpusBytes } from '../../support/corpus.js';
import { TEST_PASSWORD, api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { freePort, run, runAsync } from '../../support/process.js';
import { API, call, type BodyOf } from '../../support/call.js';

const META: Partial<TDocumentMeta> = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-01-05',
  subject: 'V/v triển khai liên thông văn bản điện tử',
  signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
};

async function upload(hub: Hub, user: TestUser, bytes: Uint8Array): Promise<TDocument> {
  const form = new FormData();
  form.append('meta', JSON.stringify(META));
  form.append('file', new Blob([bytes]), 'Công văn.pdf');
  const res = await fetch(`${hub.url}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
  expect(res.status).to.equal(201);

  return (await res.json()) as TDocument;
}

async function download(hub: Hub, user: TestUser, doc: TDocument): Promise<Uint8Array> {
  const res = await fetch(
    `${hub.url}/api/v1/documents/${doc.id}/versions/${doc.currentVersionId}/file`,
    { headers: { authorization: `Bearer ${user.token}` } },
  );
  expect(res.status).to.equal(200);

  return new Uint8Array(await res.arrayBuffer());
}

/** A small RGBA PNG (a blue stroke on transparent background), made with zlib only. */
function signaturePng(w = 120, h = 48): string {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 4);
    for (let x = 0; x < w; x++) {
      const onStroke = Math.abs(y - h / 2 - Math.sin(x / 9) * (h / 4)) < 2;
      if (onStroke) row.set([20, 40, 200, 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return png.toString('base64');
}

describe('signing: hub-held keys (personal, then the organization seal)', () => {
  let hub: Hub;
  let org: TOrg;
  let admin: TestUser;
  let leader: TestUser;
  let clerk: TestUser;
  let personal: TCertificate;
  let seal: TCertificate;
  let pdf: Uint8Array;
  let tmp: string;
  let nssDir: string;

  before(async () => {
    // the certificates' AIA/CRL URLs must reach this hub, so pdfsig can check OCSP for real
    const port = await freePort();
    hub = await startTestHub({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    pdf = await corpusBytes('letter-gs');
    org = await makeOrg(hub.ctx, { name: 'Ủy ban nhân dân huyện Hoằng Hóa' });
    admin = await makeUser(hub, org, ['org_admin']);
    leader = await makeUser(hub, org, ['signer'], 'Nguyễn Văn An');
    clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
    const p = await call(hub, admin.token)(API.certificates.issuePersonal, {
      body: { userId: leader.id },
    });
    expect(p.status, JSON.stringify(p.body)).to.equal(201);
    personal = p.body;
    const s = await call(hub, admin.token)(API.certificates.issueSeal, {
      body: { algorithm: 'p256' },
    });
    expect(s.status, JSON.stringify(s.body)).to.equal(201);
    seal = s.body;

    tmp = mkdtempSync(join(tmpdir(), 'lienthong-signing-'));
    nssDir = join(tmp, 'nss');
    const rootPem = await (await fetch(`${hub.url}/pki/root-ca.pem`)).text();
    writeFileSync(join(tmp, 'root.pem'), rootPem);
    spawnSync('mkdir', ['-p', nssDir]);
    expect(run('certutil', ['-N', '--empty-password', '-d', `sql:${nssDir}`]).status).to.equal(0);
    expect(
      run('certutil', [
        '-A',
        '-d',
        `sql:${nssDir}`,
        '-n',
        'root',
        '-t',
        'CT,C,C',
        '-i',
        join(tmp, 'root.pem'),
      ]).status,
    ).to.equal(0);
  });
  after(async () => {
    await hub.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  function sign(
    user: TestUser,
    doc: TDocument,
    body: Omit<BodyOf<typeof API.signing.sign>, 'confirmPassword'> & { confirmPassword?: string },
  ) {
    return call(hub, user.token)(API.signing.sign, {
      params: doc,
      body: { confirmPassword: TEST_PASSWORD, ...body },
    });
  }

  it('leader signs (personal, B-T), clerk seals (B-LT, copy appearance): pdfsig and qpdf accept both', async () => {
    const signedEvents: string[] = [];
    const onSigned = (e: { kind: string; level: string }) =>
      signedEvents.push(`${e.kind}:${e.level}`);
    const off = hub.ctx.bus.on('document.signed', onSigned);
    try {
      const doc = await upload(hub, clerk, pdf);
      const first = await sign(leader, doc, {
        certificateId: personal.id,
        kind: 'personal',
        reason: 'Phê duyệt ban hành',
        location: 'Thanh Hóa',
      });
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      const afterFirst = first.body;
      expect(afterFirst.status).to.equal('signed');
      expect(afterFirst.versions).to.have.length(2);
      const v2 = afterFirst.versions[1]!;
      expect(v2.reason).to.equal('signature');
      expect(v2.signature).to.include({
        signer: 'Nguyễn Văn An',
        organization: 'Ủy ban nhân dân huyện Hoằng Hóa',
        kind: 'personal',
        level: 'B-T',
        certificateSerial: personal.serialHex.toLowerCase(),
      });

      const second = await sign(clerk, afterFirst, {
        certificateId: seal.id,
        kind: 'seal',
        level: 'B-LT',
        appearance: { mode: 'copy' },
      });
      expect(second.status, JSON.stringify(second.body)).to.equal(201);
      const final = second.body;
      expect(final.versions.map((v) => v.reason)).to.deep.equal([
        'upload',
        'signature',
        'signature',
      ]);
      expect(final.versions[2]!.signature).to.include({ kind: 'seal', level: 'B-LT' });
      expect(signedEvents).to.deep.equal(['personal:B-T', 'seal:B-LT']);

      const bytes = await download(hub, clerk, final);
      expect(createHash('sha256').update(bytes).digest('hex')).to.equal(final.versions[2]!.sha256);
      // incremental updates: the uploaded bytes are the unchanged start of the final file
      expect(Buffer.from(bytes.subarray(0, pdf.byteLength)).equals(Buffer.from(pdf))).to.equal(
        true,
      );

      const file = join(tmp, 'final.pdf');
      writeFileSync(file, bytes);
      const report = (await runAsync('pdfsig', ['-nssdir', `sql:${nssDir}`, file])).out;
      const blocks = report.split(/^Signature #\d+:/m).slice(1);
      expect(blocks, report).to.have.length(2);
      for (const b of blocks) {
        expect(b, report).to.contain('Signature Validation: Signature is Valid.');
        expect(b, report).to.contain('Certificate Validation: Certificate is Trusted.');
      }
      expect(blocks[0]).to.contain('Nguyễn Văn An');
      expect(blocks[1]).to.contain('Ủy ban nhân dân huyện Hoằng Hóa');
      expect(report).to.contain('ETSI.CAdES.detached');
      const qpdf = run('qpdf', ['--check', file]);
      expect(qpdf.status, qpdf.out).to.equal(0);
      expect(qpdf.out).to.contain('No syntax or stream encoding errors');
    } finally {
      off();
    }
  });

  it('signs at B-LTA with a visible signature image (DSS + document time-stamp), valid in pdfsig', async () => {
    const doc = await upload(hub, clerk, pdf);
    // a position over the letterhead is refused (422 naming the page), nothing signed
    const overText = await sign(leader, doc, {
      certificateId: personal.id,
      kind: 'personal',
      appearance: {
        mode: 'signer',
        image: signaturePng(),
        page: 1,
        x: 60,
        y: 760,
        width: 180,
        height: 40,
      },
    });
    expect(overText.status, JSON.stringify(overText.body)).to.equal(422);
    expect(String(overText.body.detail)).to.include('trang 1');
    const r = await sign(leader, doc, {
      certificateId: personal.id,
      kind: 'personal',
      level: 'B-LTA',
      appearance: {
        mode: 'signer',
        image: signaturePng(),
        page: 1,
        x: 330,
        y: 120,
        width: 180,
        height: 72,
      },
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    const signed = r.body;
    expect(signed.versions).to.have.length(2);
    const bytes = await download(hub, leader, signed);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).to.contain('/DSS');
    expect(text).to.contain('/ETSI.RFC3161');
    const file = join(tmp, 'lta.pdf');
    writeFileSync(file, bytes);
    const report = (await runAsync('pdfsig', ['-nssdir', `sql:${nssDir}`, file])).out;
    const blocks = report.split(/^Signature #\d+:/m).slice(1);
    expect(blocks.length, report).to.equal(2);
    expect(blocks[0], report)
      .to.contain('Signature is Valid.')
      .and.contain('Certificate is Trusted.');
    // poppler 22 cannot validate ETSI.RFC3161 document time-stamps; it must still find it covering all
    expect(blocks[1], report).to.contain('LiênThông TSA').and.contain('Total document signed');
    expect(run('qpdf', ['--check', file]).status).to.equal(0);
  });

  it('refuses a wrong confirmPassword with 403 and adds no version', async () => {
    const doc = await upload(hub, clerk, pdf);
    const r = await sign(leader, doc, {
      certificateId: personal.id,
      kind: 'personal',
      confirmPassword: 'sai-mật-khẩu-99',
    });
    expect(r.status).to.equal(403);
    expect(r.body.detail).to.match(/Mật khẩu xác nhận không đúng/);
    const now = await call(hub, clerk.token)(API.documents.get, { params: { id: doc.id } });
    expect(now.body.versions).to.have.length(1);
    expect(now.body.status).to.equal('draft');
    const missing = await api(hub, leader.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
      certificateId: personal.id,
      kind: 'personal',
    });
    expect(missing.status).to.equal(400);
  });

  it('lets a clerk use only the seal and a leader only their own personal certificate', async () => {
    const doc = await upload(hub, clerk, pdf);
    const clerkPersonal = await sign(clerk, doc, { certificateId: personal.id, kind: 'personal' });
    expect([403, 404]).to.include(clerkPersonal.status);
    const leaderSeal = await sign(leader, doc, { certificateId: seal.id, kind: 'seal' });
    expect([403, 404]).to.include(leaderSeal.status);
    const otherLeader = await makeUser(hub, org, ['signer'], 'Trần Văn Bình');
    const notMine = await sign(otherLeader, doc, { certificateId: personal.id, kind: 'personal' });
    expect([403, 404]).to.include(notMine.status);
    const wrongKind = await sign(clerk, doc, { certificateId: seal.id, kind: 'personal' });
    expect(wrongKind.status).to.equal(400);
    const now = await call(hub, clerk.token)(API.documents.get, { params: { id: doc.id } });
    expect(now.body.versions).to.have.length(1);
  });

  it("hides another organization's document (404) from its signers", async () => {
    const doc = await upload(hub, clerk, pdf);
    const otherOrg = await makeOrg(hub.ctx);
    const stranger = await makeUser(hub, otherOrg, ['signer']);
    const r = await sign(stranger, doc, { certificateId: personal.id, kind: 'personal' });
    expect(r.status).to.equal(404);
  });

  it('turns a time-stamp failure into a 503 problem', async () => {
    const failing = guardTimestamp(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    let err: { code?: string; status?: number } = {};
    await failing(new Uint8Array(32)).catch((e: unknown) => (err = e as typeof err));
    expect(err.code).to.equal('UNAVAILABLE');
    expect(err.status).to.equal(503);
  });
});

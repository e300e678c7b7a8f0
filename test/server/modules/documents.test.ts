import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TDocument, TDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import {
  addVersion,
  removeOrphanFiles,
  shareDocument,
  BUCKET,
} from '../../../server/src/modules/documents/index.js';
import { writeFile } from '../../../server/src/modules/documents/document.files.js';
import { sanitizeFileName } from '../../../server/src/modules/documents/pdf-check.js';
import { corpusBytes } from '../../support/corpus.js';
import { api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';

type Meta = Partial<TDocumentMeta> & Record<string, unknown>;

function meta(over: Meta = {}): Meta {
  return {
    type: 'Công văn',
    notation: 'UBND-VP',
    issuePlace: 'Thanh Hóa',
    issueDate: '2026-01-05',
    subject: 'V/v triển khai liên thông văn bản điện tử',
    signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
    ...over,
  };
}

async function upload(
  hub: Hub,
  user: TestUser,
  bytes: Uint8Array,
  m: Meta = meta(),
  fileName = 'Công văn 123.pdf',
) {
  const form = new FormData();
  form.append('meta', JSON.stringify(m));
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), fileName);
  const res = await fetch(`${hub.url}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
  const body = (await res.json()) as TDocument & { code?: string; detail?: string };

  return { status: res.status, body };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('documents: upload, numbering, search, access, download', () => {
  let hub: Hub;
  let pdf: Uint8Array;
  let org: TOrg;
  let clerk: TestUser;
  before(async () => {
    hub = await startTestHub({ UPLOAD_LIMIT_MB: '1' });
    pdf = await corpusBytes('letter-gs');
    org = await makeOrg(hub.ctx);
    clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
  });
  after(() => hub.close());

  async function counts() {
    const db = hub.ctx.db.conn.db!;
    return {
      files: await db.collection(`${BUCKET}.files`).countDocuments(),
      docs: await db.collection('documents').countDocuments(),
    };
  }

  it('stores an uploaded PDF as version 1 with its SHA-256 and a sanitized file name', async () => {
    const r = await upload(hub, clerk, pdf, meta(), '../../tmp/Công văn\u202e 123.pdf');
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body.status).to.equal('draft');
    expect(r.body.orgId).to.equal(org.id);
    expect(r.body.meta.number).to.be.a('number');
    expect(r.body.codeLabel).to.equal(`${r.body.meta.number}/UBND-VP`);
    expect(r.body.versions).to.have.length(1);
    const v = r.body.versions[0]!;
    expect(v.sha256).to.equal(sha256(pdf));
    expect(v.size).to.equal(pdf.byteLength);
    expect(v.reason).to.equal('upload');
    expect(v.fileName).to.equal('Công văn 123.pdf');
    expect(r.body.currentVersionId).to.equal(v.id);
  });

  it('sanitizes names: no paths, no control characters, NFC, always .pdf', () => {
    expect(sanitizeFileName('C:\\Users\\a\\Quyết định.PDF')).to.equal('Quyết định.PDF');
    expect(sanitizeFileName('Quye\u0302\u0301t.pdf')).to.equal('Quyết.pdf');
    expect(sanitizeFileName('a<b>:c".pdf')).to.equal('a_b__c_.pdf');
    expect(sanitizeFileName('a\u0007b\u0000\n.pdf')).to.equal('ab.pdf');
    expect(sanitizeFileName('..')).to.equal('van-ban.pdf');
    expect(sanitizeFileName(undefined)).to.equal('van-ban.pdf');
    expect(sanitizeFileName('tờ trình')).to.equal('tờ trình.pdf');
  });

  it('numbers 1, 2, 3 per register and year; a taken number is a 409; same số/ký hiệu elsewhere warns', async () => {
    const o = await makeOrg(hub.ctx);
    const c = await makeUser(hub, o, ['clerk']);
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await upload(hub, c, pdf);
      expect(r.status).to.equal(201);
      numbers.push(r.body.meta.number!);
      expect(r.body.duplicateWarning).to.equal(undefined);
    }
    expect(numbers).to.deep.equal([1, 2, 3]);

    const dup = await upload(hub, c, pdf, meta({ number: 2 }));
    expect(dup.status).to.equal(409);
    expect(dup.body.code).to.equal('CONFLICT');
    expect(dup.body.detail).to.match(/Số 2 đã được dùng trong sổ "chung" năm 2026/);

    const nextYear = await upload(hub, c, pdf, meta({ issueDate: '2027-01-02' }));
    expect(nextYear.body.meta.number).to.equal(1);
    expect(nextYear.body.duplicateWarning).to.match(/1\/UBND-VP/);

    const other = await upload(hub, c, pdf, meta({ register: 'mật', number: 3 }));
    expect(other.status).to.equal(201);
    expect(other.body.duplicateWarning).to.match(/3\/UBND-VP.*sổ "chung"/);

    // an explicit number ahead of the counter is skipped by the next automatic one
    expect((await upload(hub, c, pdf, meta({ number: 4 }))).status).to.equal(201);
    expect((await upload(hub, c, pdf)).body.meta.number).to.equal(5);

    // another organization's numbering is its own
    const o2 = await makeOrg(hub.ctx);
    const c2 = await makeUser(hub, o2, ['clerk']);
    expect((await upload(hub, c2, pdf)).body.meta.number).to.equal(1);
  });

  it('gives concurrent uploads distinct consecutive numbers', async () => {
    const o = await makeOrg(hub.ctx);
    const c = await makeUser(hub, o, ['clerk']);
    const all = await Promise.all(Array.from({ length: 6 }, () => upload(hub, c, pdf)));
    const numbers = all.map((r) => r.body.meta.number!).sort((a, b) => a - b);
    expect(numbers).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('refuses non-PDF, empty, truncated and password-protected files with 422 and stores nothing', async () => {
    const before = await counts();
    const cases: [string, Uint8Array][] = [
      ['text', new TextEncoder().encode('Đây không phải PDF, chỉ là văn bản thuần.')],
      ['empty', new Uint8Array(0)],
      ['truncated', pdf.subarray(0, Math.floor(pdf.byteLength / 2))],
      ['encrypted', await corpusBytes('encrypted-user-password')],
    ];
    for (const [name, bytes] of cases) {
      const r = await upload(hub, clerk, bytes, meta(), `${name}.pdf`);
      expect(r.status, name).to.equal(422);
      expect(r.body.code, name).to.equal('UNPROCESSABLE');
      expect(r.body.detail, name).to.match(/Tệp/);
    }
    expect(await counts()).to.deep.equal(before);
  });

  it('refuses a file over UPLOAD_LIMIT_MB with 413, bad metadata with 400, and stores nothing', async () => {
    const before = await counts();
    const big = new Uint8Array(1024 * 1024 + 10).fill(32);
    big.set(pdf.subarray(0, 1024));
    const tooBig = await upload(hub, clerk, big);
    expect(tooBig.status).to.equal(413);
    expect(tooBig.body.code).to.equal('PAYLOAD_TOO_LARGE');
    const badMeta = await upload(hub, clerk, pdf, meta({ urgency: 'rất khẩn' } as unknown as Meta));
    expect(badMeta.status).to.equal(400);
    const injected = await upload(hub, clerk, pdf, meta({ $where: '1' }));
    expect(injected.status).to.equal(400);
    const json = await api(hub, clerk.token)('POST', '/api/v1/documents', meta());
    expect(json.status).to.equal(415);
    const broken = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${clerk.token}`,
        'content-type': 'multipart/form-data; boundary=XYZ',
      },
      body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a\u0007.pdf"\r\n\r\n%PDF-1.7',
    });
    expect(broken.status).to.equal(400);
    expect(await counts()).to.deep.equal(before);
  });

  it('lets clerks and signers upload but not enterprise users or anonymous callers', async () => {
    const signer = await makeUser(hub, org, ['signer']);
    expect((await upload(hub, signer, pdf)).status).to.equal(201);
    const ent = await makeUser(hub, org, ['enterprise_user']);
    expect((await upload(hub, ent, pdf)).status).to.equal(403);
    const anon = await upload(hub, { ...clerk, token: 'x' }, pdf);
    expect(anon.status).to.equal(401);
  });

  it('lists own documents newest first with filters, cursor pages and diacritics-insensitive search', async () => {
    const o = await makeOrg(hub.ctx);
    const c = await makeUser(hub, o, ['clerk']);
    await upload(hub, c, pdf, meta({ subject: 'Báo cáo tình hình lũ lụt huyện Hoằng Hóa' }));
    await upload(hub, c, pdf, meta({ subject: 'Kế hoạch phòng cháy Nga Sơn', urgency: 'khan' }));
    await upload(hub, c, pdf, meta({ subject: 'Giấy mời họp', issueDate: '2026-03-01' }));
    const call = api(hub, c.token);
    const search = async (q: string) => {
      const r = await call('GET', `/api/v1/documents?q=${encodeURIComponent(q)}`);
      expect(r.status).to.equal(200);
      return (r.body.items as TDocument[]).map((d) => d.meta.subject);
    };
    expect(await search('hoang hoa')).to.deep.equal(['Báo cáo tình hình lũ lụt huyện Hoằng Hóa']);
    expect(await search('Hoằng Hóa')).to.have.length(1);
    expect(await search('HOANG   HÓA')).to.have.length(1);
    expect(await search('hoang son')).to.have.length(0);
    expect(await search('2/UBND')).to.deep.equal(['Kế hoạch phòng cháy Nga Sơn']);

    const khan = await call('GET', '/api/v1/documents?urgency=khan');
    expect((khan.body.items as TDocument[]).map((d) => d.meta.subject)).to.deep.equal([
      'Kế hoạch phòng cháy Nga Sơn',
    ]);
    const march = await call('GET', '/api/v1/documents?from=2026-02-01&to=2026-12-31');
    expect(march.body.items).to.have.length(1);

    const page1 = await call('GET', '/api/v1/documents?limit=2');
    const items1 = page1.body.items as TDocument[];
    expect(items1.map((d) => d.meta.number)).to.deep.equal([3, 2]);
    expect(page1.body.nextCursor).to.be.a('string');
    const page2 = await call('GET', `/api/v1/documents?limit=2&cursor=${page1.body.nextCursor}`);
    expect((page2.body.items as TDocument[]).map((d) => d.meta.number)).to.deep.equal([1]);
    expect(page2.body.nextCursor).to.equal(null);

    // another organization's list does not contain them
    const other = await makeUser(hub, await makeOrg(hub.ctx), ['clerk']);
    const theirs = await api(hub, other.token)('GET', '/api/v1/documents?q=hoang');
    expect(theirs.body.items).to.have.length(0);
    const peek = await api(hub, other.token)('GET', `/api/v1/documents?orgId=${o.id}`);
    expect(peek.status).to.equal(403);
  });

  it('downloads a version byte for byte with ETag, RFC 5987 file name and 304 revalidation', async () => {
    const r = await upload(hub, clerk, pdf, meta(), 'Quyết định số 5.pdf');
    const v = r.body.versions[0]!;
    const url = `${hub.url}/api/v1/documents/${r.body.id}/versions/${v.id}/file`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${clerk.token}` } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    expect(res.headers.get('etag')).to.equal(`"${sha256(pdf)}"`);
    expect(res.headers.get('content-disposition')).to.equal(
      `attachment; filename="Quyet dinh so 5.pdf"; filename*=UTF-8''${encodeURIComponent('Quyết định số 5.pdf')}`,
    );
    const body = new Uint8Array(await res.arrayBuffer());
    expect(sha256(body)).to.equal(v.sha256);
    const again = await fetch(url, {
      headers: { authorization: `Bearer ${clerk.token}`, 'if-none-match': `"${v.sha256}"` },
    });
    expect(again.status).to.equal(304);
  });

  it('hides documents from other organizations (404) until delivered to them; auditors read what was released', async () => {
    const r = await upload(hub, clerk, pdf);
    const id = r.body.id;
    const fileUrl = `/api/v1/documents/${id}/versions/${r.body.currentVersionId}/file`;
    const otherOrg = await makeOrg(hub.ctx);
    const stranger = await makeUser(hub, otherOrg, ['clerk']);
    const s = api(hub, stranger.token);
    expect((await s('GET', `/api/v1/documents/${id}`)).status).to.equal(404);
    // a draft is its organization's own business, auditors' included: not found, not listed
    const auditor = await makeUser(hub, await makeOrg(hub.ctx), ['auditor']);
    const a = api(hub, auditor.token);
    expect((await a('GET', `/api/v1/documents/${id}`)).status).to.equal(404);
    const listed = async () =>
      (
        (await a('GET', `/api/v1/documents?orgId=${clerk.orgId}`)).body as {
          items: { id: string }[];
        }
      ).items.map((d) => d.id);
    expect(await listed()).to.not.include(id);
    expect(
      (await a('GET', `/api/v1/documents?orgId=${clerk.orgId}&status=draft`)).body.items,
    ).to.have.length(0);
    expect((await s('GET', fileUrl)).status).to.equal(404);
    expect((await s('GET', `/api/v1/documents/${new Types.ObjectId()}`)).status).to.equal(404);
    // being on the owner's list is not enough: reading comes with a delivery
    await shareDocument(hub.ctx, id, [otherOrg.id]);
    expect((await s('GET', `/api/v1/documents/${id}`)).status).to.equal(404);
    const sent = await api(hub, clerk.token)('POST', '/api/v1/dispatches', {
      documentId: id,
      recipients: [otherOrg.id],
    });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    const shared = await s('GET', `/api/v1/documents/${id}`);
    expect(shared.status).to.equal(200);
    expect(shared.body.view).to.equal('recipient');
    // the other recipients are the sender's business
    expect(shared.body).to.not.have.property('sharedWith');
    expect((await s('GET', fileUrl)).status).to.equal(200);
    const own = await api(hub, clerk.token)('GET', `/api/v1/documents/${id}`);
    expect(own.body.sharedWith).to.deep.equal([otherOrg.id]);
    // once sent, the auditor reads and lists it
    expect((await a('GET', `/api/v1/documents/${id}`)).status).to.equal(200);
    expect(await listed()).to.include(id);
  });

  it('reports every read of a confidential document on the hub bus', async () => {
    const seen: string[] = [];
    const listener = (e: { documentId: string; what: string; confidentiality: string }) =>
      seen.push(`${e.documentId}:${e.what}:${e.confidentiality}`);
    const off = hub.ctx.bus.on('document.read-confidential', listener);
    try {
      const plain = await upload(hub, clerk, pdf);
      const secret = await upload(hub, clerk, pdf, meta({ confidentiality: 'mat' }));
      const call = api(hub, clerk.token);
      await call('GET', `/api/v1/documents/${plain.body.id}`);
      await call('GET', `/api/v1/documents/${secret.body.id}`);
      await call(
        'GET',
        `/api/v1/documents/${secret.body.id}/versions/${secret.body.currentVersionId}/file`,
      );
      expect(seen).to.deep.equal([`${secret.body.id}:metadata:mat`, `${secret.body.id}:file:mat`]);
    } finally {
      off();
    }
  });

  it('adds versions only on top of the version they were derived from', async () => {
    const r = await upload(hub, clerk, pdf);
    const first = r.body.currentVersionId;
    const v2 = await addVersion(hub.ctx, r.body.id, pdf, {
      fileName: 'thay thế.pdf',
      reason: 'replacement',
      createdBy: clerk.id,
      basedOnVersionId: first,
    });
    expect(String(v2.document.currentVersionId)).to.equal(String(v2.version._id));
    const before = await counts();
    let err: unknown;
    await addVersion(hub.ctx, r.body.id, pdf, {
      fileName: 'cũ.pdf',
      reason: 'replacement',
      createdBy: clerk.id,
      basedOnVersionId: first,
    }).catch((e: unknown) => (err = e));
    expect((err as { code?: string }).code).to.equal('CONFLICT');
    expect(await counts()).to.deep.equal(before);
  });

  it('removeOrphanFiles deletes unreferenced GridFS files and keeps every stored version', async () => {
    const r = await upload(hub, clerk, pdf);
    const orphan = await writeFile(hub.ctx, pdf, 'mồ côi.pdf', {
      orgId: org.id,
      documentId: String(new Types.ObjectId()),
    });
    const files = hub.ctx.db.conn.db!.collection(`${BUCKET}.files`);
    expect(await files.countDocuments({ _id: orphan.fileId })).to.equal(1);
    // a young orphan may be an upload in flight: left alone
    await removeOrphanFiles(hub.ctx, 60_000);
    expect(await files.countDocuments({ _id: orphan.fileId })).to.equal(1);
    const removed = await removeOrphanFiles(hub.ctx, 0);
    expect(removed).to.be.at.least(1);
    expect(await files.countDocuments({ _id: orphan.fileId })).to.equal(0);
    expect(
      await hub.ctx.db.conn
        .db!.collection(`${BUCKET}.chunks`)
        .countDocuments({ files_id: orphan.fileId }),
    ).to.equal(0);
    const res = await api(hub, clerk.token)(
      'GET',
      `/api/v1/documents/${r.body.id}/versions/${r.body.currentVersionId}/file`,
    );
    expect(res.status).to.equal(200);
  });
});

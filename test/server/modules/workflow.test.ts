import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { TDocument, TOwnerDocument } from '../../../server/src/contracts/documents.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TCertificate } from '../../../server/src/contracts/pki.js';
import type { z } from 'zod';
import { ZIssueNumber, type TWorkflowEvent } from '../../../server/src/contracts/workflow.js';
import type { Hub } from '../../../server/src/hub.js';
import {
  TEST_PASSWORD,
  api,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../../support/factories.js';
import { API, call, ownerView } from '../../support/call.js';
import { startTestHub, testDbName } from '../../support/hub.js';
import { connectSocket } from '../../support/sockets.js';
import { Documents } from '../../../server/src/modules/documents/document.model.js';

const DRAFT_META = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-12-01',
  subject: 'V/v chuẩn bị kỳ họp cuối năm',
  signer: { fullName: 'Chưa chọn', position: 'Chủ tịch' },
};

type Org = {
  org: TOrg;
  admin: TestUser;
  clerk: TestUser;
  leader: TestUser;
  other: TestUser;
  leaderCert: TCertificate;
  otherCert: TCertificate;
  seal: TCertificate;
};

async function makeAgency(hub: Hub): Promise<Org> {
  const org = await makeOrg(hub.ctx);
  const admin = await makeUser(hub, org, ['org_admin']);
  const clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
  const leader = await makeUser(hub, org, ['signer'], 'Nguyễn Văn Lãnh Đạo');
  const other = await makeUser(hub, org, ['signer'], 'Trần Văn Phó');
  const asAdmin = call(hub, admin.token);
  const issued = (r: { status: number; body: TCertificate }) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(201);

    return r.body;
  };
  const personal = async (userId: string) =>
    issued(await asAdmin(API.certificates.issuePersonal, { body: { userId } }));

  return {
    org,
    admin,
    clerk,
    leader,
    other,
    leaderCert: await personal(leader.id),
    otherCert: await personal(other.id),
    seal: issued(await asAdmin(API.certificates.issueSeal, { body: { algorithm: 'p256' } })),
  };
}

async function draft(hub: Hub, user: TestUser, meta: object = DRAFT_META) {
  const form = new FormData();
  form.append('meta', JSON.stringify(meta));
  form.append('file', new Blob([await tinyPdf('Du thao cong van')]), 'du-thao.pdf');
  const res = await fetch(`${hub.url}/api/v1/workflow/drafts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });

  return { status: res.status, body: (await res.json()) as TOwnerDocument & { code?: string } };
}

describe('workflow (trình ký): draft → submitted → signed | returned → numbered → sealed → released', function () {
  this.timeout(120_000);
  let hub: Hub;
  let a: Org;

  before(async () => {
    hub = await startTestHub();
    a = await makeAgency(hub);
  });
  after(() => hub.close());

  const as = (u: TestUser) => api(hub, u.token);
  const sign = (u: TestUser, id: string, certificateId: string, kind: 'personal' | 'seal') =>
    call(hub, u.token)(API.signing.sign, {
      params: { id },
      body: { certificateId, kind, level: 'B-B', confirmPassword: TEST_PASSWORD },
    });
  const submit = (id: string, signer = a.leader) =>
    call(hub, a.clerk.token)(API.workflow.submit, {
      params: { id },
      body: { signerId: signer.id },
    });
  const number = (id: string, body: z.input<typeof ZIssueNumber> = {}) =>
    call(hub, a.clerk.token)(API.workflow.number, { params: { id }, body });
  const read = async (u: TestUser, id: string) =>
    ownerView((await call(hub, u.token)(API.documents.get, { params: { id } })).body);

  /** A draft taken to "signed" by the leader. */
  async function signedDraft(meta: object = DRAFT_META): Promise<string> {
    const d = await draft(hub, a.clerk, meta);
    expect(d.status, JSON.stringify(d.body)).to.equal(201);
    expect((await submit(d.body.id)).status).to.equal(200);
    const s = await sign(a.leader, d.body.id, a.leaderCert.id, 'personal');
    expect(s.status, JSON.stringify(s.body)).to.equal(201);

    return d.body.id;
  }

  it('a draft has no number, shows in "my drafts", and is editable, replaceable and deletable', async () => {
    const d = await draft(hub, a.clerk);
    expect(d.status, JSON.stringify(d.body)).to.equal(201);
    expect(d.body.meta.number).to.equal(undefined);
    expect(d.body.codeLabel).to.equal('…/UBND-VP');
    expect(d.body.workflow?.state).to.equal('draft');
    const list = await call(hub, a.clerk.token)(API.workflow.list, {
      params: { list: 'drafts' },
      query: { q: 'ky hop' },
    });
    expect(list.body.items.map((x) => x.id)).to.include(d.body.id);

    const edited = await call(hub, a.clerk.token)(API.workflow.editDraft, {
      params: d.body,
      body: { subject: 'V/v chuẩn bị kỳ họp thứ mười' },
    });
    expect(edited.status, JSON.stringify(edited.body)).to.equal(200);
    expect(edited.body.meta.subject).to.equal('V/v chuẩn bị kỳ họp thứ mười');
    const numberInPatch = await as(a.clerk)('PATCH', `/api/v1/workflow/drafts/${d.body.id}`, {
      number: 7,
    });
    expect(numberInPatch.status).to.equal(400);

    const form = new FormData();
    form.append('file', new Blob([await tinyPdf('Ban sua lan 2')]), 'du-thao-2.pdf');
    const replaced = await fetch(`${hub.url}/api/v1/workflow/drafts/${d.body.id}/file`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.clerk.token}` },
      body: form,
    });
    expect(replaced.status).to.equal(200);
    const after = (await replaced.json()) as TDocument;
    expect(after.versions.map((v) => v.reason)).to.deep.equal(['upload', 'replacement']);
    expect(after.currentVersionId).to.equal(after.versions[1]!.id);

    const del = await as(a.clerk)('DELETE', `/api/v1/workflow/drafts/${d.body.id}`);
    expect(del.status).to.equal(204);
    expect((await as(a.clerk)('GET', `/api/v1/documents/${d.body.id}`)).status).to.equal(404);
  });

  it('submit → return with a comment → edit → resubmit → sign: live events to the people concerned, audited', async () => {
    const leaderSocket = await connectSocket(hub, a.leader.token);
    const clerkSocket = await connectSocket(hub, a.clerk.token);
    try {
      const d = await draft(hub, a.clerk);
      const id = d.body.id;
      const s1 = await submit(id);
      expect(s1.status, JSON.stringify(s1.body)).to.equal(200);
      const submitted = ownerView(s1.body);
      expect(submitted.workflow?.state).to.equal('submitted');
      // the page says who signs: the named signer's own name
      expect(submitted.meta.signer.fullName).to.equal('Nguyễn Văn Lãnh Đạo');
      // drafted, then submitted
      const live = (await leaderSocket.waitFor('workflow:changed', 2))[1]!.data as TWorkflowEvent;
      expect(live).to.include({ documentId: id, action: 'submitted', state: 'submitted' });
      expect(live.to).to.deep.equal([a.leader.id]);
      const counts = await as(a.leader)('GET', '/api/v1/workflow/counts');
      expect(counts.body['to-sign']).to.be.greaterThanOrEqual(1);
      const toSign = await as(a.leader)('GET', '/api/v1/workflow/lists/to-sign');
      expect((toSign.body.items as TDocument[]).map((x) => x.id)).to.include(id);
      // the other signer was not asked: not in his list
      const notHis = await as(a.other)('GET', '/api/v1/workflow/lists/to-sign');
      expect((notHis.body.items as TDocument[]).map((x) => x.id)).to.not.include(id);

      const back = await as(a.leader)('POST', `/api/v1/workflow/documents/${id}/return`, {
        comment: 'Sửa lại trích yếu cho rõ thời gian họp.',
      });
      expect(back.status, JSON.stringify(back.body)).to.equal(200);
      const returned = (await clerkSocket.waitFor('workflow:changed', 3)).at(-1)!
        .data as TWorkflowEvent;
      expect(returned).to.include({
        action: 'returned',
        comment: 'Sửa lại trích yếu cho rõ thời gian họp.',
      });
      expect(returned.to).to.deep.equal([a.clerk.id]);
      expect(
        (
          await as(a.clerk)('PATCH', `/api/v1/workflow/drafts/${id}`, {
            subject: 'V/v chuẩn bị kỳ họp ngày 20/12',
          })
        ).status,
      ).to.equal(200);
      expect((await submit(id)).status).to.equal(200);
      const signed = await sign(a.leader, id, a.leaderCert.id, 'personal');
      expect(signed.status, JSON.stringify(signed.body)).to.equal(201);
      const doc = ownerView(signed.body);
      expect(doc.workflow?.state).to.equal('signed');
      expect(doc.workflow?.history.map((h) => h.action)).to.deep.equal([
        'drafted',
        'submitted',
        'returned',
        'edited',
        'submitted',
        'signed',
      ]);
      const audit = await as(a.admin)('GET', `/api/v1/audit?targetId=${id}&limit=50`);
      const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
      for (const act of ['drafted', 'submitted', 'returned', 'edited', 'signed'])
        expect(actions).to.include(`workflow.${act}`);
    } finally {
      leaderSocket.close();
      clerkSocket.close();
    }
  });

  it('every illegal transition answers 409 and changes nothing', async () => {
    const d = await draft(hub, a.clerk);
    const id = d.body.id;
    const ret = (u: TestUser) =>
      as(u)('POST', `/api/v1/workflow/documents/${id}/return`, { comment: 'Không' });
    // draft: not returnable, not signable, not numberable, not sealable
    expect((await ret(a.leader)).status).to.equal(409);
    expect((await sign(a.leader, id, a.leaderCert.id, 'personal')).status).to.equal(409);
    expect((await number(id)).status).to.equal(409);
    expect((await sign(a.clerk, id, a.seal.id, 'seal')).status).to.equal(409);
    const early = await as(a.clerk)('POST', '/api/v1/dispatches', {
      documentId: id,
      recipients: [(await makeOrg(hub.ctx)).id],
    });
    expect(early.status).to.equal(409);
    // submitted: not editable, not deletable, not resubmittable
    expect((await submit(id)).status).to.equal(200);
    expect(
      (await as(a.clerk)('PATCH', `/api/v1/workflow/drafts/${id}`, { subject: 'Đổi' })).status,
    ).to.equal(409);
    expect((await as(a.clerk)('DELETE', `/api/v1/workflow/drafts/${id}`)).status).to.equal(409);
    expect((await submit(id)).status).to.equal(409);
    expect((await number(id)).status).to.equal(409);
    // signed: not returnable, not signable again, not sealable before its number
    expect((await sign(a.leader, id, a.leaderCert.id, 'personal')).status).to.equal(201);
    expect((await ret(a.leader)).status).to.equal(409);
    expect((await sign(a.leader, id, a.leaderCert.id, 'personal')).status).to.equal(409);
    expect((await sign(a.clerk, id, a.seal.id, 'seal')).status).to.equal(409);
    expect((await as(a.clerk)('DELETE', `/api/v1/workflow/drafts/${id}`)).status).to.equal(409);
    // numbered: not numbered twice
    expect((await number(id)).status).to.equal(200);
    expect((await number(id)).status).to.equal(409);
    const doc = await read(a.clerk, id);
    expect(doc.workflow?.state).to.equal('numbered');
    expect(doc.versions).to.have.length(2);
    // each refusal says where the document is
    const refused = await submit(id);
    expect(refused.body.code).to.equal('INVALID_STATE');
    expect(String(refused.body.detail)).to.include('đã cấp số');
  });

  it('the signer is who the page says: another signer, or another person’s certificate, is 403', async () => {
    const d = await draft(hub, a.clerk);
    const id = d.body.id;
    expect((await submit(id)).status).to.equal(200);
    // the other signer with his own certificate: the document was submitted to the leader
    const byOther = await sign(a.other, id, a.otherCert.id, 'personal');
    expect(byOther.status).to.equal(403);
    expect(String(byOther.body.detail)).to.include('Nguyễn Văn Lãnh Đạo');
    // the leader with the other signer's certificate
    const foreign = await sign(a.leader, id, a.otherCert.id, 'personal');
    expect(foreign.status).to.equal(403);
    expect(String(foreign.body.detail)).to.include('Chỉ chính người được cấp');
    // nor may the other signer hand it back
    const ret = await as(a.other)('POST', `/api/v1/workflow/documents/${id}/return`, {
      comment: 'Không đồng ý',
    });
    expect(ret.status).to.equal(403);
    const doc = await read(a.clerk, id);
    expect(doc.workflow?.state).to.equal('submitted');
    expect(doc.versions).to.have.length(1);
    // a submission must name a signer of the same organization
    const b = await makeAgency(hub);
    const d2 = await draft(hub, a.clerk);
    expect((await submit(d2.body.id, b.leader)).status).to.equal(400);
    expect((await submit(d2.body.id, a.clerk)).status).to.equal(400);
  });

  it("another organization's documents are 404 on every workflow route", async () => {
    const b = await makeAgency(hub);
    const d = await draft(hub, a.clerk);
    const id = d.body.id;
    const asB = (u: TestUser) => api(hub, u.token);
    const form = new FormData();
    form.append('file', new Blob([await tinyPdf()]), 'x.pdf');
    const put = await fetch(`${hub.url}/api/v1/workflow/drafts/${id}/file`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${b.clerk.token}` },
      body: form,
    });
    const answers = [
      (await asB(b.clerk)('PATCH', `/api/v1/workflow/drafts/${id}`, { subject: 'x' })).status,
      put.status,
      (await asB(b.clerk)('DELETE', `/api/v1/workflow/drafts/${id}`)).status,
      (
        await asB(b.clerk)('POST', `/api/v1/workflow/documents/${id}/submit`, {
          signerId: b.leader.id,
        })
      ).status,
      (
        await asB(b.leader)('POST', `/api/v1/workflow/documents/${id}/return`, {
          comment: 'x',
        })
      ).status,
      (await asB(b.clerk)('POST', `/api/v1/workflow/documents/${id}/number`, {})).status,
      (await sign(b.leader, id, b.leaderCert.id, 'personal')).status,
    ];
    expect(answers).to.deep.equal([404, 404, 404, 404, 404, 404, 404]);
    const lists = await asB(b.clerk)('GET', '/api/v1/workflow/lists/drafts');
    expect((lists.body.items as TDocument[]).map((x) => x.id)).to.not.include(id);
    // and the draft is untouched
    const doc = await read(a.clerk, id);
    expect(doc.workflow?.state).to.equal('draft');
  });

  it('numbers 01, 02, … per register per year at release; a manual number stays unique', async () => {
    const reg = { ...DRAFT_META, register: 'Sổ công văn đi' };
    const first = await signedDraft(reg);
    const n1 = await number(first, { issueDate: '2026-03-02' });
    expect(n1.status, JSON.stringify(n1.body)).to.equal(200);
    expect(n1.body.codeLabel).to.equal('01/UBND-VP');
    expect(n1.body.meta.issueDate).to.equal('2026-03-02');
    const second = await signedDraft(reg);
    const n2 = await number(second, { issueDate: '2026-03-03' });
    expect(n2.body.codeLabel).to.equal('02/UBND-VP');
    // another register starts at 01, so does the next year
    const other = await signedDraft({ ...DRAFT_META, register: 'Sổ quyết định' });
    expect((await number(other, { issueDate: '2026-03-03' })).body.codeLabel).to.equal(
      '01/UBND-VP',
    );
    const nextYear = await signedDraft(reg);
    expect((await number(nextYear, { issueDate: '2027-01-04' })).body.codeLabel).to.equal(
      '01/UBND-VP',
    );
    // a number given by hand (numbered elsewhere): taken → 409, free → used, then skipped
    const manual = await signedDraft(reg);
    const taken = await number(manual, { number: 2, issueDate: '2026-05-01' });
    expect(taken.status).to.equal(409);
    const given = await number(manual, { number: 3, issueDate: '2026-05-01' });
    expect(given.status, JSON.stringify(given.body)).to.equal(200);
    expect(given.body.codeLabel).to.equal('03/UBND-VP');
    const after = await signedDraft(reg);
    expect((await number(after, { issueDate: '2026-05-02' })).body.codeLabel).to.equal(
      '04/UBND-VP',
    );
  });

  it('two concurrent releases never get the same number', async () => {
    const reg = { ...DRAFT_META, register: `Sổ đồng thời` };
    const ids = await Promise.all(Array.from({ length: 8 }, () => signedDraft(reg)));
    const all = await Promise.all(ids.map((id) => number(id, { issueDate: '2026-06-01' })));
    expect(all.map((r) => r.status)).to.deep.equal(Array(8).fill(200));
    const numbers = all.map((r) => r.body.meta.number!).sort((x, y) => x - y);
    expect(numbers).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('release: seal, then dispatch; unsigned dispatch refused unless the organization allows it', async () => {
    const recipients = await Promise.all([makeOrg(hub.ctx), makeOrg(hub.ctx)]);
    const id = await signedDraft();
    expect((await number(id)).status).to.equal(200);
    const sealed = await sign(a.clerk, id, a.seal.id, 'seal');
    expect(sealed.status, JSON.stringify(sealed.body)).to.equal(201);
    expect(ownerView(sealed.body).workflow?.state).to.equal('sealed');
    const release = () =>
      as(a.clerk)(
        'POST',
        '/api/v1/dispatches',
        { documentId: id, recipients: recipients.map((r) => r.id) },
        { 'idempotency-key': `release-${id}` },
      );
    const sent = await release();
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    // the same release retried: answered from before, released once
    expect((await release()).status).to.equal(200);
    const doc = await read(a.clerk, id);
    expect(doc.workflow?.state).to.equal('released');
    expect(doc.status).to.equal('dispatched');
    expect(doc.workflow?.history.filter((h) => h.action === 'released')).to.have.length(1);

    // an unsigned draft cannot even be numbered for release, unless the policy allows it
    const unsigned = await draft(hub, a.clerk);
    const refused = await number(unsigned.body.id);
    expect(refused.status).to.equal(409);
    expect(
      (await as(a.clerk)('PUT', '/api/v1/workflow/policy', { unsignedDispatch: 'allow' })).status,
    ).to.equal(403);
    const allow = await as(a.admin)('PUT', '/api/v1/workflow/policy', {
      unsignedDispatch: 'allow',
    });
    expect(allow.status).to.equal(200);
    try {
      expect((await number(unsigned.body.id)).status).to.equal(200);
      const out = await as(a.clerk)('POST', '/api/v1/dispatches', {
        documentId: unsigned.body.id,
        recipients: [recipients[0]!.id],
      });
      expect(out.status, JSON.stringify(out.body)).to.equal(201);
    } finally {
      await as(a.admin)('PUT', '/api/v1/workflow/policy', { unsignedDispatch: 'refuse' });
    }
    // a directly registered, unsigned document once the organization has said "refuse"
    const form = new FormData();
    form.append('meta', JSON.stringify(DRAFT_META));
    form.append('file', new Blob([await tinyPdf()]), 'x.pdf');
    const legacy = (await (
      await fetch(`${hub.url}/api/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.clerk.token}` },
        body: form,
      })
    ).json()) as TDocument;
    const no = await as(a.clerk)('POST', '/api/v1/dispatches', {
      documentId: legacy.id,
      recipients: [recipients[0]!.id],
    });
    expect(no.status).to.equal(409);
    expect(String(no.body.detail)).to.include('chưa được ký số');
  });

  it('images of record: the signer his signature, the org admin the seal; same organization only', async () => {
    const png = Buffer.from(await tinyPng()).toString('base64');
    expect(
      (await as(a.clerk)('PUT', '/api/v1/workflow/images/signature', { png })).status,
    ).to.equal(403);
    expect(
      (await as(a.leader)('PUT', '/api/v1/workflow/images/signature', { png })).status,
    ).to.equal(200);
    expect((await as(a.clerk)('PUT', '/api/v1/workflow/images/seal', { png })).status).to.equal(
      403,
    );
    expect((await as(a.admin)('PUT', '/api/v1/workflow/images/seal', { png })).status).to.equal(
      200,
    );
    const mine = await as(a.leader)('GET', '/api/v1/workflow/images/signature');
    expect(mine.body.png).to.equal(png);
    // the clerk, sealing over the leader's signature, reads both
    const his = await as(a.clerk)('GET', `/api/v1/workflow/images/signature/${a.leader.id}`);
    expect(his.body.png).to.equal(png);
    expect((await as(a.clerk)('GET', '/api/v1/workflow/images/seal')).body.png).to.equal(png);
    const b = await makeAgency(hub);
    expect(
      (await api(hub, b.clerk.token)('GET', `/api/v1/workflow/images/signature/${a.leader.id}`))
        .status,
    ).to.equal(404);
    expect((await api(hub, b.clerk.token)('GET', '/api/v1/workflow/images/seal')).status).to.equal(
      404,
    );
    const notPng = Buffer.from('not an image at all').toString('base64');
    expect(
      (await as(a.admin)('PUT', '/api/v1/workflow/images/seal', { png: notPng })).status,
    ).to.equal(422);
  });
});

describe('workflow: the number index of the first build', () => {
  it('is replaced at start by the partial one, so unnumbered drafts of one register coexist', async () => {
    const dbName = testDbName();
    // the same database and master key: the second hub is the first one restarted
    const env = { LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex') };
    const first = await startTestHub(env, dbName);
    const coll = () => Documents(first.ctx.db.conn).collection;
    // a database made by the first build: the unique index without a filter
    await coll().dropIndex('number_per_register_year_issued');
    await coll().createIndex(
      { orgId: 1, 'meta.register': 1, year: 1, 'meta.number': 1 },
      { unique: true, name: 'number_per_register_year' },
    );
    await first.close();
    const hub = await startTestHub(env, dbName);
    try {
      const names = (await Documents(hub.ctx.db.conn).collection.indexes()).map((i) => i.name);
      expect(names).to.include('number_per_register_year_issued');
      expect(names).to.not.include('number_per_register_year');
      const org = await makeOrg(hub.ctx);
      const clerk = await makeUser(hub, org, ['clerk']);
      expect((await draft(hub, clerk)).status).to.equal(201);
      expect((await draft(hub, clerk)).status).to.equal(201);
    } finally {
      await hub.close();
    }
  });
});

/** A 1×1 transparent PNG. */
async function tinyPng(): Promise<Uint8Array> {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
}

import { expect } from 'chai';
import { Types } from 'mongoose';
import { ZDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { TCertificate } from '../../../server/src/contracts/pki.js';
import type {
  TRevalidationJob,
  TRevalidationProgress,
} from '../../../server/src/contracts/revalidation.js';
import type { Hub } from '../../../server/src/hub.js';
import { createDocument } from '../../../server/src/modules/documents/index.js';
import {
  REVALIDATION_TUNING,
  pumpRevalidations,
} from '../../../server/src/modules/revalidation/runner.js';
import {
  RevalidationItems,
  RevalidationJobs,
} from '../../../server/src/modules/revalidation/revalidation.model.js';
import { vnIsoDate } from '../../../server/src/modules/scope/index.js';
import {
  TEST_PASSWORD,
  api,
  makeDocument,
  makeOrg,
  makeUser,
  type TestUser,
} from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { connectSocket } from '../../support/sockets.js';
import { replacePageContent } from '../../support/tamper.js';
import { API, call, follow } from '../../support/call.js';

/** Polls until the job is finished (the runner works in the background). */
async function settled(hub: Hub, token: string, id: string): Promise<TRevalidationJob> {
  for (let i = 0; i < 600; i++) {
    const r = await call(hub, token)(API.revalidation.get, { params: { id } });
    const job = r.body;
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

const counts = (j: TRevalidationJob) => ({
  total: j.total,
  processed: j.processed,
  valid: j.valid,
  invalid: j.invalid,
  indeterminate: j.indeterminate,
  unsigned: j.unsigned,
});

describe('revalidation: bulk re-validation of outgoing documents and the still-valid figure', function () {
  this.timeout(180_000);
  let hub: Hub;
  let province: TOrg;
  let district: TOrg;
  let other: TOrg;
  let auditor: TestUser;
  let provinceAdmin: TestUser;
  let districtAdmin: TestUser;
  let otherAdmin: TestUser;
  let clerk: TestUser;
  let leader: TestUser;
  let personal: TCertificate;
  const ids: Record<string, string> = {};
  const today = vnIsoDate(new Date());
  let first: TRevalidationJob;
  const batchSize = REVALIDATION_TUNING.batchSize;

  function sign(user: TestUser, docId: string, body: Record<string, unknown>) {
    return api(hub, user.token)('POST', `/api/v1/documents/${docId}/signatures`, {
      confirmPassword: TEST_PASSWORD,
      ...body,
    });
  }

  async function dispatch(docId: string, to: TOrg = other) {
    const r = await api(hub, clerk.token)('POST', '/api/v1/dispatches', {
      documentId: docId,
      recipients: [to.id],
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
  }

  async function signedDocument(user: TestUser, body: Record<string, unknown>): Promise<string> {
    const doc = await makeDocument(hub, clerk);
    const r = await sign(user, doc.id, body);
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    await dispatch(doc.id);

    return doc.id;
  }

  before(async () => {
    REVALIDATION_TUNING.batchSize = 2;
    hub = await startTestHub();
    province = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    district = await makeOrg(hub.ctx, {
      name: 'UBND huyện Hoằng Hóa',
      level: 'district',
      parentId: province.id,
    });
    other = await makeOrg(hub.ctx, { name: 'UBND tỉnh Nghệ An', level: 'province' });
    auditor = await makeUser(hub, other, ['auditor']);
    provinceAdmin = await makeUser(hub, province, ['org_admin']);
    districtAdmin = await makeUser(hub, district, ['org_admin']);
    otherAdmin = await makeUser(hub, other, ['org_admin']);
    clerk = await makeUser(hub, district, ['clerk']);
    leader = await makeUser(hub, district, ['signer'], 'Nguyễn Văn An');
    const asAdmin = api(hub, districtAdmin.token);
    const p = await call(hub, districtAdmin.token)(API.certificates.issuePersonal, {
      body: { userId: leader.id },
    });
    expect(p.status, JSON.stringify(p.body)).to.equal(201);
    personal = p.body;
    const s = await call(hub, districtAdmin.token)(API.certificates.issueSeal, {
      body: { algorithm: 'p256' },
    });
    expect(s.status, JSON.stringify(s.body)).to.equal(201);
    const seal = s.body;

    // sealed, no time-stamp: only today's CRL can say the seal certificate is still good
    ids.sealed = await signedDocument(clerk, {
      certificateId: seal.id,
      kind: 'seal',
      level: 'B-B',
    });
    // personal, no time-stamp: the certificate is revoked below, so today it cannot pass
    ids.revoked = await signedDocument(leader, {
      certificateId: personal.id,
      kind: 'personal',
      level: 'B-B',
    });
    // personal, time-stamped before the revocation: still valid (revoked after signing)
    ids.timestamped = await signedDocument(leader, {
      certificateId: personal.id,
      kind: 'personal',
      level: 'B-T',
    });
    // a sealed file whose page was replaced after signing, uploaded as a document of its own
    const sealedDoc = (
      await call(hub, clerk.token)(API.documents.get, { params: { id: ids.sealed } })
    ).body;
    const file = await fetch(
      `${hub.url}/api/v1/documents/${ids.sealed}/versions/${sealedDoc.currentVersionId}/file`,
      { headers: { authorization: `Bearer ${clerk.token}` } },
    );
    const tampered = await replacePageContent(new Uint8Array(await file.arrayBuffer()));
    const forged = await createDocument(
      hub.ctx,
      { kind: 'user', id: clerk.id, orgId: district.id, roles: ['clerk'], name: 'Văn thư' },
      ZDocumentMeta.parse({
        type: 'Quyết định',
        notation: 'QĐ-UBND',
        issuePlace: 'Thanh Hóa',
        issueDate: today,
        subject: 'Quyết định đã bị sửa sau khi ký',
        signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
      }),
      { bytes: tampered, originalName: 'quyet-dinh.pdf' },
    );
    ids.tampered = forged.id;
    await dispatch(forged.id);
    // never signed
    const plain = await makeDocument(hub, clerk);
    ids.unsigned = plain.id;
    await dispatch(plain.id);
    // another province's document: outside every job below
    const otherClerk = await makeUser(hub, other, ['clerk']);
    const outside = await makeDocument(hub, otherClerk);
    const sent = await api(hub, otherClerk.token)('POST', '/api/v1/dispatches', {
      documentId: outside.id,
      recipients: [district.id],
    });
    expect(sent.status).to.equal(201);

    // a CRL dates a revocation to the second: let it fall clearly after the time-stamp
    await new Promise((r) => setTimeout(r, 1100));
    const revoke = await asAdmin('POST', `/api/v1/certificates/${personal.id}/revoke`, {
      reason: 1,
    });
    expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
  });
  after(async () => {
    REVALIDATION_TUNING.batchSize = batchSize;
    REVALIDATION_TUNING.concurrency = 1;
    await hub?.close();
  });

  it('keeps the still-valid figure empty, with a note, until a re-validation ran', async () => {
    const s = (
      await call(hub, auditor.token)(API.stats.summary, {
        query: { orgId: province.id, from: today, to: today },
      })
    ).body;
    expect(s.figures.outgoingDocuments!.value).to.equal(5);
    expect(s.figures.stillValidRate).to.include({ value: null, computed: false, drillDown: null });
    expect(s.figures.stillValidRate!.note).to.match(/Chưa tính.*Kiểm tra lại chữ ký/);
  });

  it('runs a job over the subtree: 202, progress over Socket.IO to the starter only, one verdict per document', async () => {
    const mine = await connectSocket(hub, auditor.token);
    const bystander = await connectSocket(hub, otherAdmin.token);
    const districtSocket = await connectSocket(hub, clerk.token);
    const progress: TRevalidationProgress[] = [];
    const elsewhere: unknown[] = [];
    mine.on('revalidation:progress', (e) => progress.push(e));
    bystander.on('revalidation:progress', (e) => elsewhere.push(e));
    districtSocket.on('revalidation:progress', (e) => elsewhere.push(e));
    try {
      const r = await call(hub, auditor.token)(API.revalidation.start, {
        body: {
          orgId: province.id,
          from: today,
          to: today,
        },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      const job = r.body;
      expect(job).to.include({ orgId: province.id, from: today, to: today });
      expect(['queued', 'running']).to.include(job.status);
      first = await settled(hub, auditor.token, job.id);
      expect(first.status).to.equal('done');
      expect(counts(first)).to.deep.equal({
        total: 5,
        processed: 5,
        valid: 2,
        invalid: 1,
        indeterminate: 1,
        unsigned: 1,
      });
      expect(first.startedBy.id).to.equal(auditor.id);
      await waitUntil(() => progress.some((e) => e.status === 'done'));
      expect(progress.every((e) => e.jobId === job.id)).to.equal(true);
      const processed = progress.map((e) => e.processed);
      expect(processed).to.deep.equal([...processed].sort((a, b) => a - b));
      // batches of two: 0 after the snapshot, then 2, 4, 5, and the final "done"
      expect(processed).to.include.members([0, 2, 4, 5]);
      expect(progress.at(-1)).to.deep.include({ status: 'done', ...counts(first), jobId: job.id });
      expect(elsewhere).to.deep.equal([]);

      const items = await RevalidationItems(hub.ctx.db.conn)
        .find({ jobId: new Types.ObjectId(job.id) })
        .lean();
      const byDoc = Object.fromEntries(
        items.map((i) => [String(i.documentId), [i.outcome?.result, i.outcome?.subIndication]]),
      );
      expect(byDoc).to.deep.equal({
        [ids.sealed!]: ['TOTAL_PASSED', null],
        [ids.revoked!]: ['INDETERMINATE', 'REVOKED_NO_POE'],
        [ids.timestamped!]: ['TOTAL_PASSED', null],
        [ids.tampered!]: ['TOTAL_FAILED', 'FORMAT_FAILURE'],
        [ids.unsigned!]: ['NO_SIGNATURE', null],
      });
    } finally {
      mine.close();
      bystander.close();
      districtSocket.close();
    }
  });

  it('validates today, not the stored-version cache', async () => {
    // the per-document answer is offline (and cached): the file carries no revocation data, so
    // it can say neither "good" nor "revoked"; the job asked the hub's CRLs of today
    const cached = await api(hub, clerk.token)(
      'GET',
      `/api/v1/documents/${ids.revoked}/validation`,
    );
    expect(cached.status).to.equal(200);
    const sub = (cached.body.signatures as { subIndication: string | null }[])[0]!.subIndication;
    expect(sub).to.equal('TRY_LATER');
  });

  it('feeds the still-valid figure (summary, series, drill-down) for the scope and period', async () => {
    const q = { from: today, to: today };
    const asAuditor = call(hub, auditor.token);
    for (const org of [province, district]) {
      const s = (await asAuditor(API.stats.summary, { query: { orgId: org.id, ...q } })).body;
      const f = s.figures.stillValidRate!;
      expect(f).to.include({ computed: true, value: 0.5, numerator: 2, denominator: 4 });
      expect(f.note).to.match(/kiểm tra lại gần nhất/);
      const list = async (path: string) =>
        (await follow(hub, auditor.token)(API.stats.items, path)).body.ids.sort();
      expect(await list(f.drillDown!)).to.deep.equal([ids.sealed, ids.timestamped].sort());
      expect(await list(f.drillDownDenominator!)).to.deep.equal(
        [ids.sealed, ids.revoked, ids.timestamped, ids.tampered].sort(),
      );
    }
    const series = (
      await asAuditor(API.stats.series, { query: { orgId: province.id, ...q, period: 'day' } })
    ).body;
    expect(series.buckets).to.have.length(1);
    expect(series.buckets[0]!.figures.stillValidRate).to.include({ numerator: 2, denominator: 4 });
    const elsewhere = (await asAuditor(API.stats.summary, { query: { orgId: other.id, ...q } }))
      .body;
    expect(elsewhere.figures.stillValidRate).to.include({ value: null, computed: false });
  });

  it('returns the job already queued for the same scope and days, and tells the second caller too', async () => {
    REVALIDATION_TUNING.concurrency = 0; // nothing is picked up: the job stays queued
    const a = await api(hub, provinceAdmin.token)('POST', '/api/v1/revalidations', {
      orgId: province.id,
      from: today,
      to: today,
    });
    expect(a.status).to.equal(202);
    const sock = await connectSocket(hub, auditor.token);
    const seen: TRevalidationProgress[] = [];
    sock.on('revalidation:progress', (e) => seen.push(e));
    try {
      const b = await api(hub, auditor.token)('POST', '/api/v1/revalidations', {
        orgId: province.id,
        from: today,
        to: today,
      });
      expect(b.status).to.equal(200);
      expect(b.body.id).to.equal(a.body.id);
      expect(b.body.status).to.equal('queued');
      // other days are another job
      const c = await api(hub, provinceAdmin.token)('POST', '/api/v1/revalidations', {
        orgId: province.id,
        from: '2020-01-01',
        to: today,
      });
      expect(c.status).to.equal(202);
      expect(c.body.id).to.not.equal(a.body.id);
      REVALIDATION_TUNING.concurrency = 1;
      pumpRevalidations(hub.ctx);
      const done = await settled(hub, auditor.token, String(a.body.id));
      expect(counts(done)).to.deep.equal(counts(first));
      await waitUntil(() => seen.some((e) => e.jobId === a.body.id && e.status === 'done'));
      await settled(hub, auditor.token, String(c.body.id));
    } finally {
      REVALIDATION_TUNING.concurrency = 1;
      sock.close();
    }
  });

  it('lets auditors and the subtree’s org admins in, nobody else', async () => {
    const body = { orgId: province.id, from: today, to: today };
    const post = (u: TestUser | undefined, b: unknown = body) =>
      api(hub, u?.token)('POST', '/api/v1/revalidations', b);
    expect((await post(undefined)).status).to.equal(401);
    expect((await post(clerk)).status).to.equal(403);
    expect((await post(leader)).status).to.equal(403);
    // another province's admin, and a district admin asking about its parent: not revealed
    expect((await post(otherAdmin)).status).to.equal(404);
    expect((await post(districtAdmin)).status).to.equal(404);
    expect((await post(auditor, { ...body, from: '2026-02-30' })).status).to.equal(400);
    expect((await post(auditor, { ...body, from: today, to: '2020-01-01' })).status).to.equal(400);
    expect((await post(auditor, { ...body, extra: 1 })).status).to.equal(400);

    const job = `/api/v1/revalidations/${first.id}`;
    expect((await api(hub, otherAdmin.token)('GET', job)).status).to.equal(404);
    expect((await api(hub, districtAdmin.token)('GET', job)).status).to.equal(404);
    expect((await api(hub, clerk.token)('GET', job)).status).to.equal(403);
    expect((await api(hub, provinceAdmin.token)('GET', job)).status).to.equal(200);
    expect((await api(hub, otherAdmin.token)('POST', `${job}/resume`)).status).to.equal(404);
    expect((await api(hub, auditor.token)('POST', `${job}/resume`)).status).to.equal(409);
    const missing = `/api/v1/revalidations/${new Types.ObjectId().toHexString()}`;
    expect((await api(hub, auditor.token)('GET', missing)).status).to.equal(404);

    const own = await api(hub, districtAdmin.token)('POST', '/api/v1/revalidations', {
      from: today,
      to: today,
    });
    expect(own.status).to.equal(202);
    const districtJob = await settled(hub, districtAdmin.token, String(own.body.id));
    expect(districtJob).to.include({ orgId: district.id, total: 5, processed: 5 });
    const list = (u: TestUser, orgId?: string) =>
      call(hub, u.token)(API.revalidation.list, { query: { orgId } }).then((r) =>
        r.body.items.map((j) => j.id),
      );
    // a district admin sees its own subtree's jobs, not its parent's
    expect(await list(districtAdmin)).to.deep.equal([districtJob.id]);
    expect(await list(auditor, province.id)).to.include.members([first.id, districtJob.id]);
    expect(
      (await api(hub, otherAdmin.token)('GET', `/api/v1/revalidations?orgId=${province.id}`))
        .status,
    ).to.equal(404);
  });

  /** Puts a finished job back into the state a stop after `kept` documents leaves behind. */
  async function interrupt(
    jobId: string,
    kept: number,
    inFlight: number,
    lease: { owner: string | null; heartbeatAt: Date | null },
  ): Promise<Map<string, number>> {
    const oid = new Types.ObjectId(jobId);
    const items = await RevalidationItems(hub.ctx.db.conn)
      .find({ jobId: oid })
      .sort({ documentId: 1 })
      .lean();
    const before = items.slice(0, kept);
    const field = {
      TOTAL_PASSED: 'valid',
      TOTAL_FAILED: 'invalid',
      INDETERMINATE: 'indeterminate',
      NO_SIGNATURE: 'unsigned',
    } as const;
    const tally = { processed: kept, valid: 0, invalid: 0, indeterminate: 0, unsigned: 0 };
    for (const i of before) tally[field[i.outcome!.result]]++;
    // the batch in flight wrote its verdicts but not its cursor; the rest were never reached
    await RevalidationItems(hub.ctx.db.conn).updateMany(
      { _id: { $in: items.slice(kept + inFlight).map((i) => i._id) } },
      { $set: { outcome: null } },
    );
    await RevalidationJobs(hub.ctx.db.conn).updateOne(
      { _id: oid },
      {
        $set: {
          ...tally,
          status: 'running',
          activeKey: `${province.id}|${today}|${today}`,
          cursor: before.at(-1)!.documentId,
          finishedAt: null,
          ...lease,
        },
      },
    );

    return new Map(before.map((i) => [String(i.documentId), i.outcome!.validatedAt.getTime()]));
  }

  async function expectResumedExactly(h: Hub, jobId: string, kept: Map<string, number>) {
    const done = await settled(h, auditor.token, jobId);
    expect(done.status).to.equal('done');
    expect(counts(done)).to.deep.equal(counts(first));
    const items = await RevalidationItems(h.ctx.db.conn)
      .find({ jobId: new Types.ObjectId(jobId) })
      .lean();
    expect(items).to.have.length(5);
    for (const i of items) {
      expect(i.outcome, String(i.documentId)).to.not.equal(null);
      // documents before the cursor were not validated again
      const was = kept.get(String(i.documentId));
      if (was !== undefined) expect(i.outcome!.validatedAt.getTime()).to.equal(was);
    }
  }

  it('resumes a job whose hub died mid-way from its cursor: POST …/resume, each document counted once', async () => {
    const crashed = { owner: 'a-hub-that-crashed', heartbeatAt: new Date(Date.now() - 3_600_000) };
    const kept = await interrupt(first.id, 2, 1, crashed);
    const r = await api(hub, auditor.token)('POST', `/api/v1/revalidations/${first.id}/resume`);
    expect(r.status).to.equal(202);
    await expectResumedExactly(hub, first.id, kept);
  });

  it('resumes at the next start what a stopped hub handed back', async () => {
    const kept = await interrupt(first.id, 4, 0, { owner: null, heartbeatAt: null });
    const dbName = hub.ctx.db.conn.name;
    const dataDir = hub.ctx.config.dataDir;
    await hub.close();
    hub = await startTestHub({ DATA_DIR: dataDir }, dbName);
    await expectResumedExactly(hub, first.id, kept);
  });
});

async function waitUntil(ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

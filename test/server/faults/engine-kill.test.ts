import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TDispatchSent } from '../../../server/src/contracts/exchange.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import {
  BUCKET,
  Documents,
  readFileBytes,
  removeOrphanFiles,
} from '../../../server/src/modules/documents/index.js';
import { eventsAfter } from '../../../server/src/modules/events/publish.js';
import { Deliveries, Dispatches } from '../../../server/src/modules/exchange/delivery.model.js';
import {
  TEST_PASSWORD,
  congVanForm,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../../support/factories.js';
import { freePort, waitFor } from '../../support/process.js';
import { EngineHub, EventClient, observerOf, secretsEnv } from './engine-hub.js';
import { API, call } from '../../support/call.js';

/** Kills of the engine; each one lands during an upload, a signing and a dispatch at once. */
const KILLS = Number(process.env.LIENTHONG_FAULT_KILLS ?? 20);
const MAX_KILL_DELAY_MS = 300;
/**
 * A client gives up on one attempt after this long and retries with the same Idempotency-Key.
 * Not an assertion: what is asserted is the state once every key has succeeded.
 */
const ATTEMPT_TIMEOUT_MS = 10_000;
type Op = 'upload' | 'sign' | 'dispatch';
const zero = (): Record<Op, number> => ({ upload: 0, sign: 0, dispatch: 0 });

describe('faults: the engine SIGKILLed during upload, signing and dispatch (real processes)', function () {
  this.timeout(KILLS * 20_000 + 120_000);
  const secrets = secretsEnv();
  let dataDir: string;
  let hub: EngineHub;
  let observer: Hub;
  let sender: TOrg;
  let recipients: TOrg[];
  let clerk: TestUser;
  let sealId: string;
  const clients: EventClient[] = [];
  const tally = {
    kills: 0,
    runs: zero(),
    /** The kill came before the answer: the client retried without knowing the outcome. */
    interrupted: zero(),
    /** Answers a client got while the engine was away (503 with Retry-After expected). */
    unavailable: 0,
    retryAfterMissing: 0,
    /** Attempts that got no answer within ATTEMPT_TIMEOUT_MS (a hang; expected 0). */
    attemptTimeouts: 0,
    connectionErrors: 0,
    otherErrors: [] as string[],
    duplicates: zero(),
    lost: zero(),
    incompleteFiles: 0,
    orphanFilesRemoved: 0,
    eventsLogged: 0,
    eventsSeen: 0,
    eventsLost: 0,
    eventsSeenTwice: 0,
    notices: 0,
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lienthong-kill-'));
    hub = new EngineHub(await freePort(), dataDir, {
      ...secrets,
      LOG_LEVEL: process.env.LIENTHONG_FAULT_LOG ? 'debug' : 'warn',
    });
    await hub.start();
    observer = await observerOf(hub, secrets);
    sender = await makeOrg(observer.ctx, { name: 'UBND tỉnh Quảng Bình', level: 'province' });
    recipients = await Promise.all(
      ['Sở Tài chính', 'Sở Y tế'].map((name) => makeOrg(observer.ctx, { name })),
    );
    const admin = await makeUser(observer, sender, ['org_admin']);
    clerk = await makeUser(observer, sender, ['clerk']);
    const seal = await call(observer, admin.token)(API.certificates.issueSeal, {
      body: {
        algorithm: 'p256',
      },
    });
    expect(seal.status, JSON.stringify(seal.body)).to.equal(201);
    sealId = seal.body.id;
    clients.push(new EventClient(sender.id, hub.url, clerk.token));
    for (const r of recipients) {
      const u = await makeUser(observer, r, ['clerk']);
      clients.push(new EventClient(r.id, hub.url, u.token));
    }
    await Promise.all(clients.map((c) => c.ready()));
  });

  after(async () => {
    for (const c of clients) c.close();
    await observer?.close();
    await hub?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log(`      engine-kill tally: ${JSON.stringify(tally)}`);
    if (process.env.LIENTHONG_FAULT_LOG) {
      (await import('node:fs')).writeFileSync(process.env.LIENTHONG_FAULT_LOG, hub.out + hub.err);
    }
  });

  const conn = () => observer.ctx.db.conn;
  const auth = () => ({ authorization: `Bearer ${clerk.token}` });

  function uploadRequest(tag: string): () => Promise<Response> {
    return async () => {
      const form = congVanForm(
        {
          issuePlace: 'Quảng Bình',
          issueDate: '2026-12-06',
          subject: `Sự cố máy CSDL ${tag}`,
          signerName: 'Hoàng Văn Tỉnh',
        },
        await tinyPdf(`engine kill ${tag}`),
      );

      return fetch(`${hub.url}/api/v1/documents`, {
        method: 'POST',
        headers: { ...auth(), 'idempotency-key': `upload-${tag}` },
        body: form,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
    };
  }

  function jsonRequest(path: string, body: unknown, key: string): () => Promise<Response> {
    return () =>
      fetch(`${hub.url}${path}`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
  }

  type Answer = { status: number; text: string };

  /** One attempt: the answer if it succeeded, null otherwise (counted). */
  async function attempt(send: () => Promise<Response>): Promise<Answer | null> {
    try {
      const r = await send();
      const text = await r.text();
      if (r.ok) return { status: r.status, text };
      if (r.status === 503) {
        tally.unavailable++;
        if (!/^\d+$/.test(r.headers.get('retry-after') ?? '')) tally.retryAfterMissing++;
      } else tally.otherErrors.push(`${r.status} ${text.slice(0, 200)}${hub.unhandled(text)}`);
    } catch (err) {
      // connection cut, or no answer in time: retry
      if ((err as Error).name === 'TimeoutError') tally.attemptTimeouts++;
      else tally.connectionErrors++;
    }

    return null;
  }

  /** A client's loop: the same request, the same key, until it succeeds. */
  async function untilOk(op: Op, send: () => Promise<Response>, first: Promise<Answer | null>) {
    let res = await first;
    if (!res) {
      tally.interrupted[op]++;
      res = await waitFor(async () => (await attempt(send)) ?? undefined, 60_000);
    }

    return res;
  }

  type Pending = { op: Op; check: () => Promise<void> };

  /** The observer's own connection may meet the last kill's dead socket once: it retries. */
  async function prepare<T>(fn: () => Promise<T>): Promise<T> {
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async function startUpload(i: number): Promise<Pending> {
    const tag = `${i}-${randomBytes(4).toString('hex')}`;
    const send = uploadRequest(tag);
    const done = untilOk('upload', send, attempt(send));

    return {
      op: 'upload',
      check: async () => {
        await done;
        const n = await Documents(conn()).countDocuments({
          'meta.subject': `Sự cố máy CSDL ${tag}`,
        });
        if (n === 0) tally.lost.upload++;
        tally.duplicates.upload += Math.max(0, n - 1);
      },
    };
  }

  async function startSign(i: number): Promise<Pending> {
    const doc = await prepare(() =>
      makeDocument(observer, clerk, { subject: `Ký khi máy CSDL dừng ${i}` }),
    );
    const send = jsonRequest(
      `/api/v1/documents/${doc.id}/signatures`,
      { certificateId: sealId, kind: 'seal', level: 'B-B', confirmPassword: TEST_PASSWORD },
      `sign-${i}-${randomBytes(4).toString('hex')}`,
    );
    const done = untilOk('sign', send, attempt(send));

    return {
      op: 'sign',
      check: async () => {
        await done;
        const stored = await Documents(conn()).findById(doc.id).lean();
        const n = stored!.versions.filter((v) => v.reason === 'signature').length;
        if (n === 0) tally.lost.sign++;
        tally.duplicates.sign += Math.max(0, n - 1);
        expect(stored!.status).to.equal('signed');
      },
    };
  }

  async function startDispatch(i: number): Promise<Pending> {
    const doc = await prepare(() =>
      makeDocument(observer, clerk, { subject: `Gửi khi máy CSDL dừng ${i}` }),
    );
    const key = `dispatch-${i}-${randomBytes(6).toString('hex')}`;
    const send = jsonRequest(
      '/api/v1/dispatches',
      { documentId: doc.id, recipients: recipients.map((r) => r.id) },
      key,
    );
    const done = untilOk('dispatch', send, attempt(send));

    return {
      op: 'dispatch',
      check: async () => {
        const told = JSON.parse((await done).text) as TDispatchSent;
        const dispatches = await Dispatches(conn())
          .find({ orgId: new Types.ObjectId(sender.id), idempotencyKey: key })
          .lean();
        if (dispatches.length === 0) return void tally.lost.dispatch++;
        tally.duplicates.dispatch += dispatches.length - 1;
        const dispatch = dispatches[0]!;
        expect(dispatch.complete, 'a retry completes an interrupted dispatch').to.equal(true);
        expect(String(dispatch._id)).to.equal(told.id);
        const deliveries = await Deliveries(conn()).find({ dispatchId: dispatch._id }).lean();
        const per = new Map<string, number>();
        for (const d of deliveries) {
          const k = String(d.recipientOrgId);
          per.set(k, (per.get(k) ?? 0) + 1);
        }
        for (const r of recipients) {
          const n = per.get(r.id) ?? 0;
          if (n === 0) tally.lost.dispatch++;
          tally.duplicates.dispatch += Math.max(0, n - 1);
        }
        expect((told.deliveries ?? []).map((d) => d.id).sort()).to.deep.equal(
          deliveries.map((d) => String(d._id)).sort(),
        );
      },
    };
  }

  async function untilReady(): Promise<void> {
    await waitFor(async () => ((await fetch(`${hub.url}/readyz`)).ok ? true : undefined), 60_000);
  }

  /** Every version's GridFS file is whole: the recorded size and SHA-256. */
  async function checkFiles(): Promise<void> {
    for await (const doc of Documents(conn()).find().lean().cursor()) {
      for (const v of doc.versions) {
        let readError = '';
        const bytes = await prepare(() => readFileBytes(observer.ctx, v.fileId)).catch(
          (err: Error) => ((readError = err.message), Buffer.alloc(0)),
        );
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (bytes.length !== v.size || sha !== v.sha256) {
          tally.incompleteFiles++;
          console.log(
            `      incomplete: document ${String(doc._id)} version ${String(v._id)} (${v.reason}) file ${String(v.fileId)}: ${bytes.length}/${v.size} bytes ${readError}`,
          );
        }
      }
    }
    // a kill between a file's last chunk and its version's commit leaves it unreferenced
    tally.orphanFilesRemoved = await removeOrphanFiles(observer.ctx, 0);
    const fileIds = await conn().db!.collection(`${BUCKET}.files`).distinct('_id');
    const used = new Set((await Documents(conn()).distinct('versions.fileId')).map(String));
    expect(fileIds.filter((id: unknown) => !used.has(String(id)))).to.have.length(0);
  }

  /** The log holds each event once; every logged event reached its client, none came twice. */
  async function checkEvents(): Promise<void> {
    for (const c of clients) {
      const logged = await eventsAfter(observer.ctx, c.orgId, 0, 100_000);
      tally.eventsLogged += logged.length;
      // the last events may still be on the wire, or the client still reconnecting
      await waitFor(async () => (c.bySeq.size >= logged.length ? true : undefined), 20_000).catch(
        () => undefined,
      );
      const seen = new Set(c.bySeq.keys());
      const lost = logged.filter((e) => !seen.has(e.seq));
      tally.eventsLost += lost.length;
      if (lost.length > 0) {
        console.log(
          `      lost by ${c.orgId} (connected ${c.socket.connected}, lastSeq ${c.lastSeq}): ${lost.map((e) => `${e.seq} ${e.type} ${e.at.toISOString()}`).join(', ')}`,
        );
      }
      const inLog = new Set(logged.map((e) => e.seq));
      expect(
        [...seen].filter((s) => !inLog.has(s)),
        'events told but not logged',
      ).to.deep.equal([]);
      tally.eventsSeen += c.bySeq.size;
      tally.eventsSeenTwice += c.duplicates;
      tally.notices += c.notices['hub:unavailable'] ?? 0;
    }
  }

  it(`${KILLS} engine kills, each during an upload, a signing and a dispatch: nothing lost or duplicated`, async () => {
    for (let i = 0; i < KILLS; i++) {
      await untilReady();
      const pending = await Promise.all([startUpload(i), startSign(i), startDispatch(i)]);
      for (const p of pending) tally.runs[p.op]++;
      await new Promise((r) => setTimeout(r, Math.random() * MAX_KILL_DELAY_MS));
      hub.killEngine();
      tally.kills++;
      for (const p of pending) await prepare(() => p.check());
    }
    await untilReady();
    await checkFiles();
    await checkEvents();
    expect(tally.lost).to.deep.equal(zero());
    expect(tally.duplicates).to.deep.equal(zero());
    expect(tally.incompleteFiles).to.equal(0);
    expect(tally.eventsLost).to.equal(0);
    expect(tally.retryAfterMissing).to.equal(0);
    expect(tally.attemptTimeouts, 'requests that hung').to.equal(0);
    expect(tally.otherErrors).to.deep.equal([]);
    // each kill told the connected sockets (three clients) before cutting them
    expect(tally.notices).to.be.greaterThan(0);
    expect(hub.child!.exitCode, 'the hub itself never stopped').to.equal(null);
  });
});

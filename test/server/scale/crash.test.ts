import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { io, type Socket } from 'socket.io-client';
import type { EventEnvelope } from '../../../server/src/contracts/events.js';
import type { TDispatchSent } from '../../../server/src/contracts/exchange.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { eventsAfter } from '../../../server/src/modules/events/publish.js';
import { Deliveries, Dispatches } from '../../../server/src/modules/exchange/delivery.model.js';
import {
  BUCKET,
  Documents,
  readFileBytes,
  removeOrphanFiles,
} from '../../../server/src/modules/documents/index.js';
import {
  TEST_PASSWORD,
  congVanForm,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../../support/factories.js';
import { startTestHub, testDbName, testMongoUri } from '../../support/hub.js';
import { freePort } from '../../support/process.js';
import { HubProcess, uriWithDb } from './hub-process.js';
import { API, call } from '../../support/call.js';

/** CI-sized by default; `LIENTHONG_CRASH_ITERATIONS=50` for the acceptance run. */
const ITERATIONS = Number(process.env.LIENTHONG_CRASH_ITERATIONS ?? 12);
const MAX_KILL_DELAY_MS = 300;
const OPS = ['upload', 'sign', 'dispatch'] as const;
type Op = (typeof OPS)[number];

type Tally = {
  runs: Record<Op, number>;
  /** The kill came before the answer: the client had to retry without knowing the outcome. */
  interrupted: Record<Op, number>;
  /** Retries that applied the request a second time (must stay 0: every operation has a key). */
  duplicates: Record<Op, number>;
  orphanFilesRemoved: number;
  orphanChunks: number;
  eventsSeen: number;
  duplicateEventDeliveries: number;
};

const zero = (): Record<Op, number> => ({ upload: 0, sign: 0, dispatch: 0 });

/** One client's view of the event stream across restarts: reconnects with its lastSeq. */
class EventClient {
  bySeq = new Map<number, EventEnvelope<unknown>>();
  duplicates = 0;
  private socket: Socket | undefined;

  constructor(
    readonly orgId: string,
    private readonly token: string,
  ) {}

  get lastSeq(): number {
    return Math.max(0, ...this.bySeq.keys());
  }

  async connect(url: string): Promise<void> {
    this.socket?.close();
    const s = io(url, {
      transports: ['websocket'],
      auth: { token: this.token, lastSeq: this.lastSeq },
      reconnection: false,
      forceNew: true,
    });
    this.socket = s;
    s.onAny((type: string, e: EventEnvelope<unknown>) => {
      if (type === 'replay:done') return;
      // live and replayed events may overlap around a (re)connect: a client de-duplicates by seq
      if (this.bySeq.has(e.seq)) this.duplicates++;
      else this.bySeq.set(e.seq, { ...e, type: type as EventEnvelope<unknown>['type'] });
    });
    await new Promise<void>((resolve, reject) => {
      s.once('replay:done', () => resolve());
      s.once('connect_error', reject);
    });
  }

  close(): void {
    this.socket?.close();
  }
}

async function withRetry<T>(fn: () => Promise<T>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('scale: crash safety under SIGKILL (lienthong serve as a real process)', function () {
  this.timeout(Math.max(180_000, ITERATIONS * 15_000));

  let observer: Hub; // in-process, same database: factories and checks only
  let hub: HubProcess;
  let dataDir: string;
  let sender: TOrg;
  let recipients: TOrg[];
  let clerk: TestUser;
  let sealId: string;
  const clients: EventClient[] = [];
  const tally: Tally = {
    runs: zero(),
    interrupted: zero(),
    duplicates: zero(),
    orphanFilesRemoved: 0,
    orphanChunks: 0,
    eventsSeen: 0,
    duplicateEventDeliveries: 0,
  };

  before(async () => {
    const dbName = testDbName('crash');
    const secrets = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    observer = await startTestHub(secrets, dbName);
    dataDir = mkdtempSync(join(tmpdir(), 'lienthong-crash-'));
    hub = new HubProcess(
      {
        ...secrets,
        MONGODB_URI: uriWithDb(testMongoUri(), dbName),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      await freePort(),
    );
    await hub.start();
    sender = await makeOrg(observer.ctx, { name: 'UBND tỉnh Quảng Trị', level: 'province' });
    recipients = await Promise.all(
      ['Sở Tư pháp', 'Sở Nội vụ', 'UBND huyện Vĩnh Linh'].map((name) =>
        makeOrg(observer.ctx, { name }),
      ),
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
    clients.push(new EventClient(sender.id, clerk.token));
    for (const r of recipients) {
      clients.push(new EventClient(r.id, (await makeUser(observer, r, ['clerk'])).token));
    }
    for (const c of clients) await c.connect(hub.url);
  });

  after(async () => {
    for (const c of clients) c.close();
    await hub?.kill();
    await observer?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    // the figures the acceptance criteria ask about, and the known gaps, in the test output
    console.log(`      crash tally: ${JSON.stringify(tally)}`);
  });

  const conn = () => observer.ctx.db.conn;

  function uploadRequest(tag: string): () => Promise<Response> {
    return async () => {
      const form = congVanForm(
        {
          issuePlace: 'Quảng Trị',
          issueDate: '2026-11-28',
          subject: `Kiểm thử sự cố ${tag}`,
          signerName: 'Trần Văn Tỉnh',
        },
        await tinyPdf(`crash ${tag}`),
      );

      return fetch(`${hub.url}/api/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clerk.token}`, 'idempotency-key': `upload-${tag}` },
        body: form,
      });
    };
  }

  function jsonRequest(path: string, body: unknown, headers: Record<string, string> = {}) {
    return () =>
      fetch(`${hub.url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${clerk.token}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      });
  }

  /** Sends, kills the hub after a random delay, restarts it; true if the answer came first. */
  async function sendAndKill(send: () => Promise<Response>): Promise<Response | null> {
    const answer = send().then(
      async (r) => (r.ok ? r : null),
      () => null,
    );
    await new Promise((r) => setTimeout(r, Math.random() * MAX_KILL_DELAY_MS));
    await hub.kill();
    const res = await answer;
    await hub.start();
    for (const c of clients) await c.connect(hub.url);

    return res;
  }

  async function retryUntilOk(send: () => Promise<Response>): Promise<Response> {
    return withRetry(async () => {
      const r = await send();
      if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);

      return r;
    }, 'retry');
  }

  async function runUpload(i: number): Promise<void> {
    const tag = `${i}-${randomBytes(4).toString('hex')}`;
    const send = uploadRequest(tag);
    const first = await sendAndKill(send);
    if (!first) {
      tally.interrupted.upload++;
      // the same Idempotency-Key: a retry returns the first document if it was stored
      await retryUntilOk(send);
    }
    const docs = await Documents(conn())
      .find({ 'meta.subject': `Kiểm thử sự cố ${tag}` })
      .lean();
    tally.duplicates.upload += docs.length - 1;
    expect(docs, 'one document per upload key').to.have.length(1);
  }

  async function runSign(i: number): Promise<void> {
    const doc = await makeDocument(observer, clerk, { subject: `Ký khi sự cố ${i}` });
    const send = jsonRequest(
      `/api/v1/documents/${doc.id}/signatures`,
      { certificateId: sealId, kind: 'seal', level: 'B-B', confirmPassword: TEST_PASSWORD },
      { 'idempotency-key': `sign-${i}-${randomBytes(4).toString('hex')}` },
    );
    const first = await sendAndKill(send);
    if (!first) {
      tally.interrupted.sign++;
      await retryUntilOk(send);
    }
    const stored = await Documents(conn()).findById(doc.id).lean();
    const signatures = stored!.versions.filter((v) => v.reason === 'signature');
    tally.duplicates.sign += signatures.length - 1;
    expect(signatures, 'one signature per signing key').to.have.length(1);
    expect(stored!.status).to.equal('signed');
    expect(String(stored!.currentVersionId)).to.equal(String(stored!.versions.at(-1)!._id));
  }

  async function runDispatch(i: number): Promise<void> {
    const doc = await makeDocument(observer, clerk, { subject: `Gửi khi sự cố ${i}` });
    const key = `crash-${i}-${randomBytes(6).toString('hex')}`;
    const send = jsonRequest(
      '/api/v1/dispatches',
      { documentId: doc.id, recipients: recipients.map((r) => r.id) },
      { 'idempotency-key': key },
    );
    let res = await sendAndKill(send);
    if (!res) {
      tally.interrupted.dispatch++;
      res = await retryUntilOk(send);
    }
    const told = (await res.json()) as TDispatchSent;
    const dispatches = await Dispatches(conn())
      .find({ orgId: new Types.ObjectId(sender.id), idempotencyKey: key })
      .lean();
    expect(dispatches, 'one dispatch per key').to.have.length(1);
    const dispatch = dispatches[0]!;
    expect(dispatch.complete, 'a retry completes an interrupted dispatch').to.equal(true);
    expect(String(dispatch._id)).to.equal(told.id);
    const deliveries = await Deliveries(conn()).find({ dispatchId: dispatch._id }).lean();
    expect(deliveries, 'one delivery per recipient').to.have.length(recipients.length);
    expect(new Set(deliveries.map((d) => String(d.recipientOrgId)))).to.deep.equal(
      new Set(recipients.map((r) => r.id)),
    );
    // what the client was told matches what is stored
    expect((told.deliveries ?? []).map((d) => d.id).sort()).to.deep.equal(
      deliveries.map((d) => String(d._id)).sort(),
    );
    // each delivery holds its two arrival events (arrival-log.ts), numbered once
    for (const d of deliveries) {
      expect([d.incomingSeq, d.arrivedSeq], `events of delivery ${String(d._id)}`).to.satisfy(
        (seqs: unknown[]) => seqs.every((n) => typeof n === 'number'),
      );
    }
  }

  /** Every version's file exists and has the bytes the version claims. */
  async function checkVersions(): Promise<void> {
    for await (const doc of Documents(conn()).find().lean().cursor()) {
      for (const v of doc.versions) {
        const bytes = await readFileBytes(observer.ctx, v.fileId);
        expect(bytes.length, `size of ${String(v._id)}`).to.equal(v.size);
        const sha = createHash('sha256').update(bytes).digest('hex');
        expect(sha, `sha256 of version ${String(v._id)}`).to.equal(v.sha256);
      }
    }
  }

  /** After the cleanup job no file is unreferenced; chunks without a file are counted. */
  async function checkOrphans(): Promise<void> {
    tally.orphanFilesRemoved += await removeOrphanFiles(observer.ctx, 0);
    const db = conn().db!;
    const fileIds = await db.collection(`${BUCKET}.files`).distinct('_id');
    const used = new Set(
      (await Documents(conn()).distinct('versions.fileId')).map((id: unknown) => String(id)),
    );
    const orphans = fileIds.filter((id: unknown) => !used.has(String(id)));
    expect(orphans, 'GridFS files no version references').to.have.length(0);
    const chunkOwners = await db.collection(`${BUCKET}.chunks`).distinct('files_id');
    const files = new Set(fileIds.map((id: unknown) => String(id)));
    tally.orphanChunks = chunkOwners.filter((id: unknown) => !files.has(String(id))).length;
  }

  /** Every event a client received is in the log; every logged event reached its client. */
  async function checkEvents(): Promise<void> {
    for (const c of clients) {
      const logged = await eventsAfter(observer.ctx, c.orgId, 0, 100_000);
      // the last live events may still be on the wire: wait for the log to be caught up
      await withRetry(
        async () => {
          if (c.bySeq.size < logged.length) throw new Error(`${c.bySeq.size}/${logged.length}`);
        },
        'events reach the client',
        10_000,
      );
      const bySeq = new Map(logged.map((e) => [e.seq, e]));
      for (const [seq, e] of c.bySeq) {
        const stored = bySeq.get(seq);
        expect(stored, `event ${seq} told to ${c.orgId} is in the log`).to.not.equal(undefined);
        expect(stored!.type).to.equal(e.type);
        expect(String(stored!.orgId)).to.equal(e.orgId);
      }
      expect([...c.bySeq.keys()].sort((a, b) => a - b)).to.deep.equal(logged.map((e) => e.seq));
    }
    tally.eventsSeen = clients.reduce((n, c) => n + c.bySeq.size, 0);
    tally.duplicateEventDeliveries = clients.reduce((n, c) => n + c.duplicates, 0);
  }

  it(`${ITERATIONS} random SIGKILLs during upload, signing and dispatch lose and duplicate nothing that has a key`, async () => {
    for (let i = 0; i < ITERATIONS; i++) {
      const op = OPS[i % OPS.length]!;
      tally.runs[op]++;
      if (op === 'upload') await runUpload(i);
      else if (op === 'sign') await runSign(i);
      else await runDispatch(i);
      await checkVersions();
      await checkOrphans();
      await checkEvents();
    }
    expect(tally.runs.dispatch).to.be.greaterThan(0);
  });
});

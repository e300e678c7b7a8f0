/**
 * Exchange throughput on this machine, against the real local engine:
 *  1. one document dispatched to 100 recipients, each with a connected socket: time until every
 *     delivery is stored and every socket has its `document:incoming`;
 *  2. sustained dispatch for a bounded time with 500 connected recipient sockets: deliveries per
 *     second stored and notified, notification latency p50 / p99, and the CPU each delivery
 *     costs in the hub, the engine and the clients (robust when the machine is shared).
 * The sockets live in a child process (bench-exchange-clients.ts), as real clients are elsewhere.
 * Run: npx tsx scripts/bench-exchange.ts [seconds]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../server/src/config/config.js';
import { decideEngine } from '../server/src/db/engine/decide.js';
import { machineFacts } from '../server/src/db/engine/facts.js';
import { startLocalEngine } from '../server/src/db/engine/local-engine.js';
import { startHub, type Hub } from '../server/src/hub.js';
import { hashPassword } from '../server/src/modules/auth/passwords.js';
import { Users } from '../server/src/modules/auth/user.model.js';
import { issueAccessToken } from '../server/src/modules/auth/tokens.js';
import { createOrg } from '../server/src/modules/orgs/orgs.service.js';
import { createDocument } from '../server/src/modules/documents/create-document.js';
import { ZDocumentMeta } from '../server/src/contracts/documents.js';
import type { TOrg } from '../server/src/contracts/orgs.js';
import { PDFDocument } from 'pdf-lib';
import type { ClientsMessage, ClientsStart } from './bench-exchange-clients.js';

const PASSWORD = 'Bench-mat-khau-2026';
let passwordHash: Promise<string> | undefined;

async function token(
  hub: Hub,
  org: TOrg,
  role: 'clerk',
  n: number,
): Promise<{ token: string; id: string }> {
  const username = `bench${n}`;
  const u = await Users(hub.ctx.db.conn).create({
    orgId: org.id,
    username,
    fullName: `Văn thư ${n}`,
    roles: [role],
    passwordHash: await (passwordHash ??= hashPassword(PASSWORD)),
  });
  // Tokens are minted directly: the bench measures exchange, not logins (which are rate-limited).
  const t = await issueAccessToken(hub.ctx.secrets.jwt, {
    kind: 'user',
    id: String(u._id),
    orgId: org.id,
    roles: [role],
    name: u.fullName,
  });

  return { token: t, id: String(u._id) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

type Recipient = { org: TOrg; token: string };

async function recipients(hub: Hub, n: number, offset: number): Promise<Recipient[]> {
  const out: Recipient[] = [];
  for (let i = 0; i < n; i++) {
    const org = await createOrg(hub.ctx, {
      code: `bench.r${offset + i}`,
      name: `UBND xã Thử ${offset + i}`,
      kind: 'agency',
      level: 'commune',
      contact: {},
    });
    out.push({ org, token: (await token(hub, org, 'clerk', offset + i)).token });
  }

  return out;
}

/** Recipient sockets live in a child process; arrivals come back over IPC. */
class Clients {
  private readonly child: ChildProcess;
  private readonly arrived = new Map<string, Map<string, number>>();
  private readonly waiters = new Map<string, { orgIds: string[]; done: () => void }>();

  constructor() {
    this.child = fork(fileURLToPath(new URL('./bench-exchange-clients.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
    });
    this.child.on('message', (m: ClientsMessage) => {
      if (m.kind !== 'arrivals') return;
      for (const a of m.arrivals) {
        let byOrg = this.arrived.get(a.dispatchId);
        if (!byOrg) this.arrived.set(a.dispatchId, (byOrg = new Map()));
        byOrg.set(a.orgId, a.at);
        this.check(a.dispatchId);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  async connect(url: string, all: Recipient[]): Promise<void> {
    const ready = new Promise<void>((resolve) =>
      this.child.on('message', (m: ClientsMessage) => m.kind === 'ready' && resolve()),
    );
    const start: ClientsStart = {
      url,
      recipients: all.map((r) => ({ orgId: r.org.id, token: r.token })),
    };
    this.child.send({ kind: 'start', start });
    await ready;
  }

  /** Wall-clock arrival time at each recipient, once all of them have the dispatch. */
  arrivals(dispatchId: string, orgIds: string[]): Promise<number[]> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(dispatchId);
        const byOrg = this.arrived.get(dispatchId)!;
        this.arrived.delete(dispatchId);
        resolve(orgIds.map((o) => byOrg.get(o)!));
      };
      this.waiters.set(dispatchId, { orgIds, done });
      this.check(dispatchId);
    });
  }

  private check(dispatchId: string): void {
    const w = this.waiters.get(dispatchId);
    const byOrg = this.arrived.get(dispatchId);
    if (w && byOrg && w.orgIds.every((o) => byOrg.has(o))) w.done();
  }

  stop(): void {
    this.child.send({ kind: 'stop' });
  }
}

/** CPU time (ms) a process has used so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** With BENCH_PROFILE=path, the hub's CPU profile of the sustained phase is written there. */
async function profiled<T>(work: () => Promise<T>): Promise<T> {
  const path = process.env.BENCH_PROFILE;
  if (!path) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  }
}

const wallNow = (): number => performance.timeOrigin + performance.now();

async function run(seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-bench-'));
  const d = decideEngine(machineFacts(undefined));
  const engine = await startLocalEngine(
    join(dir, 'db'),
    d.mode === 'local-engine' ? d.loader : 'system',
  );
  const hub = await startHub(
    loadConfig({ PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dir, MONGODB_URI: engine.uri }),
    { dbName: 'bench' },
  );
  try {
    const sender = await createOrg(hub.ctx, {
      code: '000.00.00.H56',
      name: 'UBND tỉnh Thanh Hóa',
      kind: 'agency',
      level: 'province',
      contact: {},
    });
    const clerk = await token(hub, sender, 'clerk', 99999);
    const pdf = await (async () => {
      const p = await PDFDocument.create();
      p.addPage();
      return p.save();
    })();
    const meta = ZDocumentMeta.parse({
      type: 'Công văn',
      notation: 'UBND-VP',
      issuePlace: 'Thanh Hóa',
      issueDate: '2026-11-28',
      subject: 'Bench',
      signer: { fullName: 'A', position: 'Chủ tịch' },
    });
    const principal = {
      kind: 'user' as const,
      id: clerk.id,
      orgId: sender.id,
      roles: ['clerk' as const],
      name: 'Văn thư',
    };
    const newDoc = () =>
      createDocument(hub.ctx, principal, meta, { bytes: pdf, originalName: 'b.pdf' });
    const dispatch = async (docId: string, to: string[]) => {
      const res = await fetch(`${hub.url}/api/v1/dispatches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clerk.token}` },
        body: JSON.stringify({ documentId: docId, recipients: to }),
      });
      if (res.status !== 201) throw new Error(`dispatch ${res.status}: ${await res.text()}`);

      return ((await res.json()) as { id: string }).id;
    };

    console.log('preparing 500 recipient organizations, their sockets in a child process…');
    const pool = await recipients(hub, 500, 0);
    const clients = new Clients();
    await clients.connect(hub.url, pool);

    // 1. one document to 100 recipients
    const hundred = pool.slice(0, 100).map((r) => r.org.id);
    const doc = await newDoc();
    const t0 = wallNow();
    const id = await dispatch(doc.id, hundred);
    const stored = wallNow() - t0;
    const all = Math.max(...(await clients.arrivals(id, hundred))) - t0;
    console.log(
      `1 document → 100 recipients: stored ${stored.toFixed(0)} ms, all 100 sockets notified ${all.toFixed(0)} ms`,
    );

    // 2. sustained, 500 sockets, 50 recipients per dispatch, 2 concurrent senders. Warm-up first:
    // each organization's receipt key is created on its first delivery, once in its lifetime.
    for (let i = 100; i < pool.length; i += 100) {
      const batch = pool.slice(i, i + 100).map((r) => r.org.id);
      await clients.arrivals(await dispatch((await newDoc()).id, batch), batch);
    }
    const docs = await Promise.all(Array.from({ length: 600 }, newDoc));
    const latencies: number[] = [];
    let deliveries = 0;
    let next = 0;
    const end = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < end && next < docs.length) {
        const n = next++;
        const chosen = Array.from(
          { length: 50 },
          (_, i) => pool[(n * 50 + i) % pool.length]!.org.id,
        );
        const start = wallNow();
        const did = await dispatch(docs[n]!.id, chosen);
        for (const at of await clients.arrivals(did, chosen)) latencies.push(at - start);
        deliveries += chosen.length;
      }
    };
    const cpu0 = {
      hub: process.cpuUsage(),
      engine: cpuMsOf(engine.pid),
      clients: cpuMsOf(clients.pid),
    };
    const s0 = performance.now();
    await profiled(() => Promise.all([worker(), worker()]));
    const elapsed = (performance.now() - s0) / 1000;
    const hubCpu = process.cpuUsage(cpu0.hub);
    const perDelivery = (ms: number) => ((ms / deliveries) * 1000).toFixed(0);
    latencies.sort((a, b) => a - b);
    console.log(
      `sustained, 500 sockets: ${(deliveries / elapsed).toFixed(0)} deliveries/s stored and notified (${deliveries} in ${elapsed.toFixed(1)} s), ` +
        `notification latency (request sent → socket) p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (target ≥ 1,000/s, p99 < 100 ms)`,
    );
    console.log(
      `  CPU per delivery: hub ${perDelivery((hubCpu.user + hubCpu.system) / 1000)} µs, ` +
        `engine ${perDelivery(cpuMsOf(engine.pid) - cpu0.engine)} µs, ` +
        `clients ${perDelivery(cpuMsOf(clients.pid) - cpu0.clients)} µs (2 cores = 2,000,000 µs/s)`,
    );
    clients.stop();
  } finally {
    await hub.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchExchange(seconds = 10): Promise<void> {
  await run(seconds);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchExchange(Number(process.argv[2] ?? 10));
  process.exit(0);
}

/**
 * Exchange throughput on this machine, against the real local engine:
 *  1. one document dispatched to 100 recipients, each with a connected socket: time until every
 *     delivery is stored and every socket has its `document:incoming`;
 *  2. sustained dispatch with 500 connected recipient sockets, 50 recipients per dispatch: the
 *     most the hub does (senders that wait for their dispatch to be notified), then a steady
 *     1,000 deliveries/s offered (latency at that load); deliveries per second stored and
 *     notified, notification latency p50 / p99 (request sent → socket), and the CPU each delivery
 *     costs in the hub, the engine and the clients (robust when the machine is shared).
 * The sockets and the sending system live in a child process (bench-exchange-clients.ts), as real
 * clients are elsewhere. Run: npx tsx scripts/bench-exchange.ts [seconds per phase]
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
import { mintAccessToken } from '../server/src/modules/auth/sessions.js';
import { createOrg } from '../server/src/modules/orgs/orgs.service.js';
import { createDocument } from '../server/src/modules/documents/create-document.js';
import { flushCounters } from '../server/src/modules/stats/counter-queue.js';
import { ZDocumentMeta } from '../server/src/contracts/documents.js';
import type { TOrg } from '../server/src/contracts/orgs.js';
import { PDFDocument } from 'pdf-lib';
import type {
  ClientsCommand,
  ClientsMessage,
  ClientsStart,
  PhaseResult,
  Phase,
  PhaseRun,
} from './bench-exchange-clients.js';

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
  const t = await mintAccessToken(hub.ctx, {
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

/** Sockets and the sending system live in a child process; it reports each phase's figures. */
class Clients {
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork(fileURLToPath(new URL('./bench-exchange-clients.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private reply<K extends ClientsMessage['kind']>(
    kind: K,
  ): Promise<Extract<ClientsMessage, { kind: K }>> {
    return new Promise((resolve) => {
      const on = (m: ClientsMessage) => {
        if (m.kind !== kind) return;
        this.child.off('message', on);
        resolve(m as Extract<ClientsMessage, { kind: K }>);
      };
      this.child.on('message', on);
    });
  }

  async connect(start: ClientsStart): Promise<void> {
    const ready = this.reply('ready');
    this.child.send({ kind: 'start', start } satisfies ClientsCommand);
    await ready;
  }

  async run(run: PhaseRun): Promise<PhaseResult> {
    const done = this.reply('result');
    this.child.send({ kind: 'run', run } satisfies ClientsCommand);

    return (await done).result;
  }

  stop(): void {
    this.child.send({ kind: 'stop' } satisfies ClientsCommand);
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

/**
 * Each phase starts from a quiet hub: the counters of what came before written, and a moment for
 * the engine, so a phase's figures are its own load's and not the previous phase's backlog.
 */
async function settle(hub: Hub): Promise<void> {
  await flushCounters(hub.ctx);
  await new Promise((resolve) => setTimeout(resolve, 3000));
}

type Cpu = { hub: NodeJS.CpuUsage; engine: number; clients: number };

/** CPU each process spent per delivery since `from`, µs. */
function cpuPerDelivery(from: Cpu, pids: { engine: number; clients: number }, n: number): string {
  const hub = process.cpuUsage(from.hub);
  const per = (ms: number) => ((ms / n) * 1000).toFixed(0);

  return (
    `CPU per delivery: hub ${per((hub.user + hub.system) / 1000)} µs, ` +
    `engine ${per(cpuMsOf(pids.engine) - from.engine)} µs, ` +
    `clients ${per(cpuMsOf(pids.clients) - from.clients)} µs (2 cores = 2,000,000 µs/s)`
  );
}

function latencyLine(r: PhaseResult): string {
  const p = (q: number) => percentile(r.latencies, q).toFixed(0);

  return (
    `${(r.deliveries / r.seconds).toFixed(0)} deliveries/s stored and notified ` +
    `(${r.deliveries} in ${r.seconds.toFixed(1)} s${r.unfinished ? `, ${r.unfinished} dispatches unfinished after 30 s` : ''}), ` +
    `notification latency (request sent → socket) p50 ${p(50)} ms, p99 ${p(99)} ms`
  );
}

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
    const senders = [
      clerk,
      ...(await Promise.all(
        [1, 2, 3, 4, 5, 6, 7].map((i) => token(hub, sender, 'clerk', 99990 + i)),
      )),
    ];
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
    const newDocs = async (n: number) =>
      (
        await Promise.all(
          Array.from({ length: n }, () =>
            createDocument(hub.ctx, principal, meta, { bytes: pdf, originalName: 'b.pdf' }),
          ),
        )
      ).map((doc) => doc.id);

    console.log('preparing 500 recipient organizations, their sockets in a child process…');
    const pool = await recipients(hub, 500, 0);
    const clients = new Clients();
    await clients.connect({
      url: hub.url,
      tokens: senders.map((s) => s.token),
      recipients: pool.map((r) => ({ orgId: r.org.id, token: r.token })),
    });
    const pids = { engine: engine.pid, clients: clients.pid };
    // Warm-up: each organization's receipt key is made on its first delivery, once in its life.
    await clients.run({
      phase: { mode: 'closed', workers: 1, seconds: 600 },
      documentIds: await newDocs(5),
      perDispatch: 100,
    });

    // 1. one document to 100 recipients
    const one = await clients.run({
      phase: { mode: 'closed', workers: 1, seconds: 600 },
      documentIds: await newDocs(1),
      perDispatch: 100,
    });
    console.log(
      `1 document → 100 recipients: stored ${one.stored[0]!.toFixed(0)} ms, all 100 sockets notified ${one.latencies.at(-1)!.toFixed(0)} ms`,
    );

    // 2. sustained, 500 sockets, 50 recipients per dispatch: the most the hub does (2 dispatches
    // in flight, each waiting to be notified), then a steady 1,000 deliveries/s offered
    const phases: [string, Phase, number][] = [
      ['most (2 dispatches in flight)', { mode: 'closed', workers: 2, seconds }, 40 * seconds],
      ['steady 1,000/s offered', { mode: 'open', perSecond: 20, seconds }, 20 * seconds],
    ];
    for (const [name, phase, docs] of phases) {
      const documentIds = await newDocs(docs);
      await settle(hub);
      const cpu0: Cpu = {
        hub: process.cpuUsage(),
        engine: cpuMsOf(engine.pid),
        clients: cpuMsOf(clients.pid),
      };
      const r = await profiled(() => clients.run({ phase, documentIds, perDispatch: 50 }));
      console.log(`sustained, 500 sockets, ${name}: ${latencyLine(r)}`);
      console.log(`  ${cpuPerDelivery(cpu0, pids, r.deliveries)}`);
    }
    console.log('  target: ≥ 1,000 deliveries/s with p99 < 100 ms at that load');
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

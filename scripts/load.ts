/**
 * Load harness (`npm run load`): N socket clients on loopback and M senders dispatching for a
 * bounded time, against one hub node and against two nodes sharing Redis. The hubs run as real
 * processes (`lienthong serve`) on a local MongoDB engine started here; this process only plays
 * the clients, so its own work does not count in the hub's figures (on a 2-core machine it does
 * compete for the CPU, see docs/operations.md).
 *
 *   npx tsx scripts/load.ts [--clients=5000] [--senders=10] [--seconds=20] [--recipients=10]
 *                           [--per-org=5] [--nodes=1,2]
 *   npx tsx scripts/load.ts --crash-iterations=50   # the long SIGKILL run of the crash test
 *
 * Many sockets need file descriptors: `ulimit -n 65536` first (each socket is one descriptor in
 * this process and one in a hub).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../server/src/config/config.js';
import { ZDocumentMeta } from '../server/src/contracts/documents.js';
import type { TDispatch } from '../server/src/contracts/exchange.js';
import type { TRole } from '../server/src/contracts/common.js';
import type { HubContext } from '../server/src/context.js';
import { decideEngine } from '../server/src/db/engine/decide.js';
import { machineFacts } from '../server/src/db/engine/facts.js';
import { startLocalEngine } from '../server/src/db/engine/local-engine.js';
import { closeContext, createContext } from '../server/src/hub.js';
import type { Principal } from '../server/src/http/principal.js';
import { mintAccessToken } from '../server/src/modules/auth/sessions.js';
import { Users } from '../server/src/modules/auth/user.model.js';
import { createDocument } from '../server/src/modules/documents/create-document.js';
import { createOrg } from '../server/src/modules/orgs/orgs.service.js';
import { HubProcess, uriWithDb } from '../test/server/scale/hub-process.js';
import { freePort } from '../test/support/process.js';
import { startRedis, type TestRedis } from '../test/support/redis.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '5000' },
    senders: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    recipients: { type: 'string', default: '10' },
    'per-org': { type: 'string', default: '5' },
    nodes: { type: 'string', default: '1,2' },
    'crash-iterations': { type: 'string' },
  },
});

type Opts = {
  clients: number;
  senders: number;
  seconds: number;
  recipients: number;
  perOrg: number;
};

type Setup = {
  recipientOrgs: { id: string; token: string }[];
  senders: { token: string; documentId: string }[];
};

type Row = {
  nodes: number;
  clients: number;
  senders: number;
  seconds: number;
  dispatches: number;
  deliveries: number;
  deliveriesPerS: number;
  notified: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  errors: string;
  rssMb: string;
  /** CPU seconds used during the sending phase: hubs, MongoDB engine, this harness. */
  cpu: string;
};

const MB = 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));

    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime+stime of a process and its descendants, in seconds (Linux /proc, 100 ticks/s). */
function cpuSeconds(root: number | undefined): number {
  if (!root) return 0;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }

  return ticks / 100;
}

async function tinyPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage([595, 842]).drawText('Cong van thu tai', {
    x: 72,
    y: 770,
    size: 14,
    font: await pdf.embedFont(StandardFonts.TimesRoman),
  });

  return pdf.save();
}

async function userToken(ctx: HubContext, orgId: string, roles: TRole[], n: string) {
  // tokens minted directly: logging 1,000 users in would only measure argon2 and the login limit
  const u = await Users(ctx.db.conn).create({
    orgId,
    username: `load${n}`,
    fullName: `Văn thư ${n}`,
    roles,
    passwordHash: 'unused',
  });
  const p: Principal = { kind: 'user', id: String(u._id), orgId, roles, name: `Văn thư ${n}` };

  return { principal: p, token: await mintAccessToken(ctx, p) };
}

async function setup(ctx: HubContext, o: Opts): Promise<Setup> {
  const tag = randomBytes(3).toString('hex');
  const orgCount = Math.max(o.recipients, Math.ceil(o.clients / o.perOrg));
  const recipientOrgs: Setup['recipientOrgs'] = [];
  for (let i = 0; i < orgCount; i++) {
    const org = await createOrg(ctx, {
      code: `000.00.${String(i % 100).padStart(2, '0')}.L${tag}${i}`,
      name: `UBND xã Tải ${tag} ${i}`,
      kind: 'agency',
      level: 'commune',
      contact: {},
    });
    recipientOrgs.push({
      id: org.id,
      token: (await userToken(ctx, org.id, ['clerk'], `${tag}r${i}`)).token,
    });
  }
  const pdf = await tinyPdf();
  const senders: Setup['senders'] = [];
  for (let i = 0; i < o.senders; i++) {
    const org = await createOrg(ctx, {
      code: `000.00.99.S${tag}${i}`,
      name: `UBND tỉnh Gửi ${tag} ${i}`,
      kind: 'agency',
      level: 'province',
      contact: {},
    });
    const { principal, token } = await userToken(ctx, org.id, ['clerk'], `${tag}s${i}`);
    const meta = ZDocumentMeta.parse({
      type: 'Công văn',
      notation: 'UBND-VP',
      issuePlace: 'Hà Nội',
      issueDate: '2026-11-28',
      subject: `Thử tải ${i}`,
      urgency: 'thuong',
      signer: { fullName: 'Nguyễn Văn Tải', position: 'Chủ tịch' },
    });
    const doc = await createDocument(ctx, principal, meta, { bytes: pdf, originalName: 'tai.pdf' });
    senders.push({ token, documentId: doc.id });
  }

  return { recipientOrgs, senders };
}

type Arrival = { dispatchId: string; t: number };

async function connectAll(
  urls: string[],
  s: Setup,
  o: Opts,
  arrivals: Arrival[],
): Promise<{ sockets: Socket[]; perOrg: Map<string, number>; failed: number }> {
  const sockets: Socket[] = [];
  const perOrg = new Map<string, number>();
  let failed = 0;
  const BATCH = 100;
  for (let i = 0; i < o.clients; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, o.clients - i) }, (_, j) => i + j);
    await Promise.all(
      batch.map(async (n) => {
        const org = s.recipientOrgs[n % s.recipientOrgs.length]!;
        const socket = io(urls[n % urls.length]!, {
          transports: ['websocket'],
          auth: { token: org.token },
          reconnection: false,
          forceNew: true,
          timeout: 30_000,
        });
        socket.on('document:incoming', (e: { data: { delivery: { dispatchId: string } } }) =>
          arrivals.push({ dispatchId: e.data.delivery.dispatchId, t: performance.now() }),
        );
        const ok = await new Promise<boolean>((resolve) => {
          socket.once('connect', () => resolve(true));
          socket.once('connect_error', () => resolve(false));
        });
        if (!ok) {
          failed++;
          socket.close();

          return;
        }
        sockets.push(socket);
        perOrg.set(org.id, (perOrg.get(org.id) ?? 0) + 1);
      }),
    );
  }

  return { sockets, perOrg, failed };
}

function pick<T>(list: T[], n: number): T[] {
  const out = new Set<T>();
  while (out.size < Math.min(n, list.length))
    out.add(list[Math.floor(Math.random() * list.length)]!);

  return [...out];
}

async function runScenario(
  nodes: number,
  engine: { uri: string; pid: number },
  dbName: string,
  secrets: Record<string, string>,
  s: Setup,
  o: Opts,
): Promise<Row> {
  let redis: TestRedis | undefined;
  const hubs: HubProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'lienthong-load-hub-'));
  try {
    if (nodes > 1) redis = await startRedis();
    for (let i = 0; i < nodes; i++) {
      const hub = new HubProcess(
        {
          ...secrets,
          MONGODB_URI: uriWithDb(engine.uri, dbName),
          DATA_DIR: join(dataDir, String(i)),
          LOG_LEVEL: 'warn',
          ...(redis ? { REDIS_URL: redis.url } : {}),
        },
        await freePort(),
      );
      await hub.start();
      hubs.push(hub);
    }
    const urls = hubs.map((h) => h.url);
    const arrivals: Arrival[] = [];
    process.stdout.write(`  ${nodes} node(s): connecting ${o.clients} sockets… `);
    const { sockets, perOrg, failed } = await connectAll(urls, s, o, arrivals);
    process.stdout.write(
      `${sockets.length} connected, ${failed} failed; sending for ${o.seconds} s\n`,
    );
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, ...hubs.map((h) => rssOf(h.pid)));
    }, 250);
    const starts = new Map<string, number>();
    const errors = new Map<string, number>();
    let deliveries = 0;
    let expected = 0;
    const cpu0 = {
      hubs: hubs.reduce((n, h) => n + cpuSeconds(h.pid), 0),
      engine: cpuSeconds(engine.pid),
      self: process.cpuUsage(),
    };
    const t0 = performance.now();
    const end = t0 + o.seconds * 1000;
    await Promise.all(
      s.senders.map(async (sender, i) => {
        const url = urls[i % urls.length]!;
        while (performance.now() < end) {
          const recipients = pick(s.recipientOrgs, o.recipients).map((r) => r.id);
          const start = performance.now();
          try {
            const res = await fetch(`${url}/api/v1/dispatches`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${sender.token}`,
                'content-type': 'application/json',
                'idempotency-key': `load-${randomBytes(8).toString('hex')}`,
              },
              body: JSON.stringify({ documentId: sender.documentId, recipients }),
            });
            const body = (await res.json()) as TDispatch & { code?: string };
            if (res.status !== 201) {
              errors.set(String(res.status), (errors.get(String(res.status)) ?? 0) + 1);
              if (res.status === 429) await new Promise((r) => setTimeout(r, 1000));
              continue;
            }
            starts.set(body.id, start);
            deliveries += recipients.length;
            for (const r of recipients) expected += perOrg.get(r) ?? 0;
          } catch (err) {
            const k = (err as Error).name;
            errors.set(k, (errors.get(k) ?? 0) + 1);
          }
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(cpu0.self);
    const cpu = [
      hubs.reduce((n, h) => n + cpuSeconds(h.pid), 0) - cpu0.hubs,
      cpuSeconds(engine.pid) - cpu0.engine,
      (self.user + self.system) / 1e6,
    ]
      .map((x) => x.toFixed(1))
      .join('/');
    // let the last notifications arrive
    const drainEnd = performance.now() + 10_000;
    while (arrivals.length < expected && performance.now() < drainEnd) {
      await new Promise((r) => setTimeout(r, 100));
    }
    clearInterval(sampler);
    const latencies = arrivals
      .map((a) => a.t - (starts.get(a.dispatchId) ?? NaN))
      .filter((x) => Number.isFinite(x))
      .sort((a, b) => a - b);
    for (const sock of sockets) sock.close();

    return {
      nodes,
      clients: sockets.length,
      senders: s.senders.length,
      seconds: Math.round(elapsed),
      dispatches: starts.size,
      deliveries,
      deliveriesPerS: Math.round(deliveries / elapsed),
      notified: latencies.length,
      expected,
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? NaN),
      errors: [...errors].map(([k, v]) => `${k}×${v}`).join(' ') || '0',
      rssMb: `${Math.round(peakRss / MB)}`,
      cpu,
    };
  } finally {
    for (const h of hubs) await h.kill();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(rows: Row[]): void {
  const head = [
    'nodes',
    'sockets',
    'senders',
    's',
    'dispatches',
    'deliveries',
    'deliv/s',
    'notified/expected',
    'p50 ms',
    'p99 ms',
    'max ms',
    'errors',
    'peak hub RSS MB',
    'CPU s hub/db/load',
  ];
  const cells = rows.map((r) =>
    [
      r.nodes,
      r.clients,
      r.senders,
      r.seconds,
      r.dispatches,
      r.deliveries,
      r.deliveriesPerS,
      `${r.notified}/${r.expected}`,
      r.p50,
      r.p99,
      r.max,
      r.errors,
      r.rssMb,
      r.cpu,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

function crashRun(iterations: string): never {
  const r = spawnSync('npx', ['mocha', 'test/server/scale/crash.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, LIENTHONG_CRASH_ITERATIONS: iterations },
  });
  process.exit(r.status ?? 1);
}

async function main(): Promise<void> {
  if (args['crash-iterations']) crashRun(args['crash-iterations']);
  const o: Opts = {
    clients: Number(args.clients),
    senders: Number(args.senders),
    seconds: Number(args.seconds),
    recipients: Number(args.recipients),
    perOrg: Number(args['per-org']),
  };
  const nodeCounts = String(args.nodes).split(',').map(Number);
  const decision = decideEngine(machineFacts(undefined));
  if (decision.mode !== 'local-engine')
    throw new Error(`needs the local engine: ${JSON.stringify(decision)}`);
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-load-'));
  const engine = await startLocalEngine(join(dir, 'db'), decision.loader);
  const dbName = `load_${randomBytes(4).toString('hex')}`;
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  try {
    const config = loadConfig({
      ...secrets,
      MONGODB_URI: engine.uri,
      DATA_DIR: join(dir, 'setup'),
      LOG_LEVEL: 'warn',
    });
    console.log(`load: ${JSON.stringify(o)}; setting up organizations, users, documents…`);
    const ctx = await createContext(config, { dbName });
    const s = await setup(ctx, o);
    await closeContext(ctx);
    const rows: Row[] = [];
    for (const n of nodeCounts) rows.push(await runScenario(n, engine, dbName, secrets, s, o));
    console.log('');
    printTable(rows);
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

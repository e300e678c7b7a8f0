/**
 * Exchange throughput on this machine, against the real local engine:
 *  1. one document dispatched to 100 recipients, each with a connected socket: time until every
 *     delivery is stored and every socket has its `document:incoming`;
 *  2. sustained dispatch for a bounded time with 500 connected recipient sockets: deliveries per
 *     second stored and notified, notification latency p50 / p99.
 * Run: npx tsx scripts/bench-exchange.ts [seconds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { io, type Socket } from 'socket.io-client';
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

type Recipient = { org: TOrg; socket: Socket; arrivals: Map<string, number> };

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
    const t = await token(hub, org, 'clerk', offset + i);
    const socket = io(hub.url, {
      transports: ['websocket'],
      auth: { token: t.token },
      forceNew: true,
    });
    const arrivals = new Map<string, number>();
    socket.on('document:incoming', (e) =>
      arrivals.set(e.data.delivery.dispatchId, performance.now()),
    );
    await new Promise<void>((r) => socket.once('connect', () => r()));
    out.push({ org, socket, arrivals });
  }

  return out;
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

    // 1. one document to 100 recipients
    console.log('preparing 100 recipients with sockets…');
    const hundred = await recipients(hub, 100, 0);
    const doc = await newDoc();
    const t0 = performance.now();
    const id = await dispatch(
      doc.id,
      hundred.map((r) => r.org.id),
    );
    const stored = performance.now() - t0;
    while (hundred.some((r) => !r.arrivals.has(id))) await new Promise((r) => setTimeout(r, 1));
    const all = Math.max(...hundred.map((r) => r.arrivals.get(id)!)) - t0;
    console.log(
      `1 document → 100 recipients: stored ${stored.toFixed(0)} ms, all 100 sockets notified ${all.toFixed(0)} ms`,
    );

    // 2. sustained, 500 sockets, 50 recipients per dispatch, 2 concurrent senders
    const more = await recipients(hub, 400, 100);
    const pool = [...hundred, ...more];
    const docs = await Promise.all(Array.from({ length: 400 }, newDoc));
    const latencies: number[] = [];
    let deliveries = 0;
    let next = 0;
    const end = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < end && next < docs.length) {
        const chosen = Array.from({ length: 50 }, (_, i) => pool[(next * 50 + i) % pool.length]!);
        const start = performance.now();
        const did = await dispatch(
          docs[next++]!.id,
          chosen.map((r) => r.org.id),
        );
        while (chosen.some((r) => !r.arrivals.has(did))) await new Promise((r) => setTimeout(r, 1));
        for (const r of chosen) latencies.push(r.arrivals.get(did)! - start);
        deliveries += chosen.length;
      }
    };
    const s0 = performance.now();
    await Promise.all([worker(), worker()]);
    const elapsed = (performance.now() - s0) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `sustained, 500 sockets: ${(deliveries / elapsed).toFixed(0)} deliveries/s stored and notified (${deliveries} in ${elapsed.toFixed(1)} s), ` +
        `notification latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (target ≥ 1,000/s, p99 < 100 ms)`,
    );
    pool.forEach((r) => r.socket.close());
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

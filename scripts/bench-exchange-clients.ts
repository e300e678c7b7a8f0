/**
 * The client side of `bench-exchange.ts`, in its own process as real clients would be: one socket
 * per recipient organization, and the sending agency system posting dispatches over HTTP. It
 * times each delivery from the moment its dispatch request is sent to the moment the recipient's
 * socket has the `document:incoming` event, and reports the figures of each phase to the parent.
 */
import { io, type Socket } from 'socket.io-client';

export type ClientsStart = {
  url: string;
  /**
   * Access tokens of the sending clerks, taking dispatches in turn (each user has its own rate
   * limit, 600 requests a minute, as each agency system would).
   */
  tokens: string[];
  recipients: { orgId: string; token: string }[];
};
/**
 * closed: `workers` senders, each waiting for its dispatch to reach every recipient before the
 * next (the most the hub can do); open: one dispatch every 1/`perSecond` s whatever happens
 * (latency at a given load, as agencies do not wait for each other).
 */
export type Phase =
  | { mode: 'closed'; workers: number; seconds: number }
  | { mode: 'open'; perSecond: number; seconds: number };
export type PhaseRun = { phase: Phase; documentIds: string[]; perDispatch: number };
export type PhaseResult = {
  deliveries: number;
  dispatches: number;
  seconds: number;
  /** Request sent → socket has the event, ms, sorted. */
  latencies: number[];
  /** Request sent → response (deliveries stored), ms, sorted. */
  stored: number[];
  unfinished: number;
};
export type ClientsCommand =
  { kind: 'start'; start: ClientsStart } | { kind: 'run'; run: PhaseRun } | { kind: 'stop' };
export type ClientsMessage = { kind: 'ready' } | { kind: 'result'; result: PhaseResult };

type Waiting = { orgIds: Set<string>; start: number; done: () => void };

/** Arrivals by dispatch; an event may arrive before the response that names its dispatch. */
class Arrivals {
  private readonly early = new Map<string, { orgId: string; at: number }[]>();
  private readonly waiting = new Map<string, Waiting>();
  readonly latencies: number[] = [];

  arrived(dispatchId: string, orgId: string): void {
    const at = performance.now();
    const w = this.waiting.get(dispatchId);
    if (!w) {
      const list = this.early.get(dispatchId) ?? [];
      list.push({ orgId, at });
      this.early.set(dispatchId, list);
      return;
    }
    this.take(dispatchId, w, orgId, at);
  }

  /** Resolves once every recipient of the dispatch has its event. */
  wait(dispatchId: string, orgIds: string[], start: number): Promise<void> {
    return new Promise((done) => {
      const w: Waiting = { orgIds: new Set(orgIds), start, done };
      this.waiting.set(dispatchId, w);
      for (const a of this.early.get(dispatchId) ?? []) this.take(dispatchId, w, a.orgId, a.at);
      this.early.delete(dispatchId);
      if (w.orgIds.size === 0) this.finish(dispatchId, w);
    });
  }

  private take(dispatchId: string, w: Waiting, orgId: string, at: number): void {
    if (!w.orgIds.delete(orgId)) return;
    this.latencies.push(at - w.start);
    if (w.orgIds.size === 0) this.finish(dispatchId, w);
  }

  private finish(dispatchId: string, w: Waiting): void {
    this.waiting.delete(dispatchId);
    w.done();
  }
}

let started: ClientsStart;
const sockets: Socket[] = [];
let arrivals = new Arrivals();

async function connect(m: ClientsStart): Promise<void> {
  started = m;
  for (const r of m.recipients) {
    const socket = io(m.url, {
      transports: ['websocket'],
      auth: { token: r.token },
      forceNew: true,
    });
    socket.on('document:incoming', (e: { data: { delivery: { dispatchId: string } } }) =>
      arrivals.arrived(e.data.delivery.dispatchId, r.orgId),
    );
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    sockets.push(socket);
  }
}

async function run(r: PhaseRun): Promise<PhaseResult> {
  arrivals = new Arrivals();
  const stored: number[] = [];
  let next = 0;
  let deliveries = 0;
  const pool = started.recipients;
  const dispatchOne = async (): Promise<void> => {
    const n = next++;
    const to = Array.from(
      { length: r.perDispatch },
      (_, i) => pool[(n * r.perDispatch + i) % pool.length]!.orgId,
    );
    const start = performance.now();
    const res = await fetch(`${started.url}/api/v1/dispatches`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${started.tokens[n % started.tokens.length]!}`,
      },
      body: JSON.stringify({ documentId: r.documentIds[n], recipients: to }),
    });
    if (res.status !== 201) throw new Error(`dispatch ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    stored.push(performance.now() - start);
    await arrivals.wait(id, to, start);
    deliveries += to.length;
  };
  const t0 = performance.now();
  const end = t0 + r.phase.seconds * 1000;
  const more = () => performance.now() < end && next < r.documentIds.length;
  let unfinished = 0;
  if (r.phase.mode === 'closed') {
    const worker = async () => {
      while (more()) await dispatchOne();
    };
    await Promise.all(Array.from({ length: r.phase.workers }, worker));
  } else {
    const interval = 1000 / r.phase.perSecond;
    const inFlight: Promise<void>[] = [];
    while (more()) {
      inFlight.push(dispatchOne());
      const due = t0 + next * interval;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    const limit = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 30_000));
    for (const p of inFlight) if ((await Promise.race([p, limit])) === 'late') unfinished++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

  return {
    deliveries,
    dispatches: next,
    seconds,
    latencies: sorted(arrivals.latencies),
    stored: sorted(stored),
    unfinished,
  };
}

function send(m: ClientsMessage): void {
  process.send!(m);
}

process.on('message', (m: ClientsCommand) => {
  if (m.kind === 'start') void connect(m.start).then(() => send({ kind: 'ready' }));
  else if (m.kind === 'run') void run(m.run).then((result) => send({ kind: 'result', result }));
  else {
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 50);
  }
});

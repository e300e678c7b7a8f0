/**
 * The recipient side of `bench-exchange.ts`, in its own process as real clients would be: it
 * connects one socket per recipient organization and reports each `document:incoming` arrival
 * (wall-clock ms, comparable across processes) to the parent over IPC, batched.
 */
import { io, type Socket } from 'socket.io-client';

export type ClientsStart = { url: string; recipients: { orgId: string; token: string }[] };
export type Arrival = { dispatchId: string; orgId: string; at: number };
export type ClientsMessage =
  | { kind: 'ready' }
  | { kind: 'arrivals'; arrivals: Arrival[] }
  | { kind: 'stopped'; cpuMs: number };

const now = (): number => performance.timeOrigin + performance.now();

function send(m: ClientsMessage): void {
  process.send!(m);
}

async function start(m: ClientsStart): Promise<Socket[]> {
  let pending: Arrival[] = [];
  setInterval(() => {
    if (pending.length === 0) return;
    send({ kind: 'arrivals', arrivals: pending });
    pending = [];
  }, 2).unref();
  const sockets: Socket[] = [];
  for (const r of m.recipients) {
    const socket = io(m.url, {
      transports: ['websocket'],
      auth: { token: r.token },
      forceNew: true,
    });
    socket.on('document:incoming', (e: { data: { delivery: { dispatchId: string } } }) => {
      pending.push({ dispatchId: e.data.delivery.dispatchId, orgId: r.orgId, at: now() });
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    sockets.push(socket);
  }

  return sockets;
}

let sockets: Socket[] = [];
process.on('message', (m: { kind: 'start'; start: ClientsStart } | { kind: 'stop' }) => {
  if (m.kind === 'start') {
    void start(m.start).then((s) => {
      sockets = s;
      send({ kind: 'ready' });
    });
    return;
  }
  for (const s of sockets) s.close();
  const u = process.cpuUsage();
  send({ kind: 'stopped', cpuMs: (u.user + u.system) / 1000 });
  setTimeout(() => process.exit(0), 50);
});

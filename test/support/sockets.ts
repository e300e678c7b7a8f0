import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  EventEnvelope,
  EventType,
  ServerToClientEvents,
} from '../../server/src/contracts/events.js';
import type { Hub } from '../../server/src/hub.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents> & {
  received: EventEnvelope<unknown>[];
  waitFor(type: EventType, count: number, ms?: number): Promise<EventEnvelope<unknown>[]>;
};

/** A real socket.io-client that records every event envelope it receives. */
export async function connectSocket(
  hub: Hub,
  token: string,
  lastSeq?: number,
): Promise<TestSocket> {
  const s = io(hub.url, {
    transports: ['websocket'],
    auth: lastSeq === undefined ? { token } : { token, lastSeq },
    reconnection: false,
    forceNew: true,
  }) as TestSocket;
  s.received = [];
  s.onAny((event: string, payload: EventEnvelope<unknown>) => {
    if (event !== 'replay:done') s.received.push({ ...payload, type: event as EventType });
  });
  s.waitFor = async (type, count, ms = 10_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const got = s.received.filter((e) => e.type === type);
      if (got.length >= count) return got;
      if (Date.now() > end) throw new Error(`expected ${count} ${type}, got ${got.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (err) => reject(err));
  });

  return s;
}

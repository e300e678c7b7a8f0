import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  EventEnvelope,
  EventPayloads,
  EventType,
  ServerToClientEvents,
} from '../../../server/src/contracts/events';
import { EventCursor } from '../../../server/src/contracts/event-cursor';
import { EVENT_TYPES } from '../../../server/src/contracts/events';
import type { TRevalidationProgress } from '../../../server/src/contracts/revalidation';
import { accessToken } from './api';

type Handler<K extends EventType> = (e: EventEnvelope<EventPayloads[K]>) => void;
type AnyHandler = (e: EventEnvelope<unknown>) => void;

const seqKey = (orgId: string) => `lt.lastSeq.${orgId}`;

/**
 * The hub's event stream for one organization. The last seq seen is kept in localStorage: on
 * (re)connection the hub replays what was missed. Each tab drops what it has already seen by seq
 * (a replay racing a live emit, N before N−1 across nodes), not by the highest seq another tab
 * stored, and a `hub:resync` makes the next connection replay from below it (EventCursor).
 */
export class EventStream {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private handlers = new Map<EventType, Set<AnyHandler>>();
  private statusListeners = new Set<(connected: boolean) => void>();
  private progressListeners = new Set<(e: TRevalidationProgress) => void>();
  private readonly cursor: EventCursor;
  connected = false;

  constructor(orgId: string) {
    this.cursor = new EventCursor({
      get: () => {
        const v = Number(localStorage.getItem(seqKey(orgId)));

        return Number.isSafeInteger(v) && v > 0 ? v : undefined;
      },
      set: (v) => localStorage.setItem(seqKey(orgId), String(v)),
    });
  }

  start(): void {
    if (this.socket) return;
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      transports: ['websocket'],
      // a function, so that every reconnection sends a fresh token and the latest seq
      auth: (cb) => {
        // no seq stored yet (first login on this browser): no replay of the organization's history
        const lastSeq = this.cursor.handshakeSeq();
        void accessToken().then((token) =>
          cb(lastSeq === undefined ? { token: token ?? '' } : { token: token ?? '', lastSeq }),
        );
      },
    });
    for (const type of EVENT_TYPES) {
      s.on(type, ((e: EventEnvelope<unknown>) => this.deliver(type, e)) as never);
    }
    // ephemeral (no seq, not replayed): straight to the listeners
    s.on('revalidation:progress', (e) => {
      for (const l of this.progressListeners) l(e);
    });
    s.on('hub:resync', (info) => this.cursor.resync(info.replayFrom));
    s.on('replay:done', () => this.cursor.replayDone());
    s.on('connect', () => this.setConnected(true));
    s.on('disconnect', (reason) => {
      this.setConnected(false);
      // the hub ends a socket when its token expires; the auth callback brings a fresh one
      if (reason === 'io server disconnect' && this.socket === s) s.connect();
    });
    this.socket = s;
  }

  stop(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.setConnected(false);
  }

  private setConnected(c: boolean): void {
    this.connected = c;
    for (const l of this.statusListeners) l(c);
  }

  private deliver(type: EventType, e: EventEnvelope<unknown>): void {
    if (!this.cursor.accept(e.seq)) return;
    for (const h of this.handlers.get(type) ?? []) h({ ...e, type });
  }

  on<K extends EventType>(type: K, h: Handler<K>): () => void {
    const set = this.handlers.get(type) ?? new Set<AnyHandler>();
    set.add(h as AnyHandler);
    this.handlers.set(type, set);

    return () => set.delete(h as AnyHandler);
  }

  /** Progress of the re-validation jobs this user started or asked for. */
  onRevalidation(l: (e: TRevalidationProgress) => void): () => void {
    this.progressListeners.add(l);

    return () => this.progressListeners.delete(l);
  }

  onStatus(l: (connected: boolean) => void): () => void {
    this.statusListeners.add(l);

    return () => this.statusListeners.delete(l);
  }
}

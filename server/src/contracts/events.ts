import { z } from 'zod';
import { answer, routes } from './endpoint.js';
import type { TDeliveryBrief, TStatusCode } from './exchange.js';
import type { TRevalidationProgress } from './revalidation.js';
import type { TWorkflowEvent } from './workflow.js';

/** Every notification, persisted before it is emitted; `seq` increases per organization. */
export type EventEnvelope<T> = { seq: number; orgId: string; type: EventType; at: string; data: T };

/** The new delivery, brief: its 01 receipt is the recipient's own and stays on the hub. */
export type TIncomingEvent = {
  delivery: TDeliveryBrief;
};
export type TDeliveryStatusEvent = {
  deliveryId: string;
  dispatchId: string;
  documentId: string;
  recipientOrgId: string;
  recipientName: string;
  code: TStatusCode;
  at: string;
  actorName: string;
  reason?: string;
  receipt: { jws: string; keyId: string };
};
export type TRecalledEvent = {
  dispatchId: string;
  documentId: string;
  deliveryId: string;
  reason: string;
};
export type TDocumentUpdatedEvent = {
  documentId: string;
  deliveryId: string;
  versionId: string;
  kind: 'update' | 'replace';
};

export type EventPayloads = {
  'document:incoming': TIncomingEvent;
  'delivery:status': TDeliveryStatusEvent;
  'dispatch:recalled': TRecalledEvent;
  'document:updated': TDocumentUpdatedEvent;
  'workflow:changed': TWorkflowEvent;
};
export type EventType = keyof EventPayloads;

/** An event of the log, its payload typed by its type. */
export type TAnyEvent = {
  [K in EventType]: Omit<EventEnvelope<EventPayloads[K]>, 'type'> & { type: K };
}[EventType];
export const EVENT_TYPES: EventType[] = [
  'document:incoming',
  'delivery:status',
  'dispatch:recalled',
  'document:updated',
  'workflow:changed',
];

/** The Socket.IO contract, shared by server, client and tests. */
export interface ServerToClientEvents {
  'document:incoming': (e: EventEnvelope<TIncomingEvent>) => void;
  'delivery:status': (e: EventEnvelope<TDeliveryStatusEvent>) => void;
  'dispatch:recalled': (e: EventEnvelope<TRecalledEvent>) => void;
  'document:updated': (e: EventEnvelope<TDocumentUpdatedEvent>) => void;
  /** Trình ký: a draft submitted, returned, signed, numbered, sealed, released. */
  'workflow:changed': (e: EventEnvelope<TWorkflowEvent>) => void;
  /**
   * Progress of a bulk re-validation, to the rooms of the users following the job. Ephemeral:
   * not in the event log and not replayed (GET /api/v1/revalidations/:id has the same counts).
   */
  'revalidation:progress': (e: TRevalidationProgress) => void;
  /** Sent once after the replay of missed events; live events follow. */
  'replay:done': (info: { lastSeq: number; replayed: number }) => void;
  /**
   * The hub's database is away: this connection is closed right after, and new ones are refused
   * until it is back. The client's reconnection (with its lastSeq) replays what it missed.
   */
  'hub:unavailable': (info: HubNotice) => void;
  /**
   * The relay between nodes (Redis) is back; this connection is closed right after. Events of
   * other nodes since `replayFrom` may never have reached this socket, and their seqs can be
   * below ones it saw: reconnect with lastSeq = min(lastSeq, replayFrom) and drop by seq what
   * was already seen.
   */
  'hub:resync': (info: HubNotice & { replayFrom: number }) => void;
}

/** Why the hub closes a socket it asks to reconnect; `retryAfter` in seconds. */
export type HubNotice = { reason: string; detail: string; retryAfter: number };

export interface ClientToServerEvents {
  /** Optional: a client may ask for a replay again without reconnecting. */
  'events:replay': (
    after: number,
    ack: (info: { lastSeq: number; replayed: number }) => void,
  ) => void;
}

/** Handshake `auth` payload. */
export type SocketAuth = { token: string; lastSeq?: number };

export type SocketData = {
  orgId: string;
  userId: string;
  roles: string[];
  sessionId: string;
  /** When the handshake's access token expires (ms since the epoch): the socket ends then. */
  expiresAt: number;
};

export const ZEventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** For systems that poll instead of holding a socket: everything after the last seq they saw. */
export const eventsApi = routes('/events', {
  after: {
    method: 'GET',
    path: '/',
    roles: [],
    query: ZEventsQuery,
    returns: answer<{ events: TAnyEvent[]; lastSeq: number }>(),
  },
});

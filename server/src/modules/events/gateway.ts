import type { Server as IoServer, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  SocketAuth,
  SocketData,
} from '../../contracts/events.js';
import type { HubContext } from '../../context.js';
import { sessionRoom } from '../../realtime/rooms.js';
import { isUnreachable } from '../../db/unreachable.js';
import { liveAccessToken } from '../auth/index.js';
import { eventsAfter, orgRoom, toEnvelope, userRoom } from './publish.js';

type HubSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

const REPLAY_PAGE = 1000;

/** Sends every stored event after `after` to this socket alone, in order. */
async function replay(
  ctx: HubContext,
  socket: HubSocket,
  after: number,
): Promise<{ lastSeq: number; replayed: number }> {
  let last = after;
  let replayed = 0;
  for (;;) {
    const page = await eventsAfter(ctx, socket.data.orgId, last, REPLAY_PAGE);
    for (const e of page) socket.emit(e.type, toEnvelope(e) as never);
    replayed += page.length;
    if (page.length > 0) last = page[page.length - 1]!.seq;
    if (page.length < REPLAY_PAGE) return { lastSeq: last, replayed };
  }
}

/**
 * Socket.IO: a JWT in the handshake, rooms per organization and per user, and a replay of what
 * the client missed (`auth.lastSeq`) before live events. A socket only ever joins its own
 * organization's room, so it receives nothing of another organization.
 */
export function attachGateway(ctx: HubContext, io: IoServer): void {
  const server = io as unknown as IoServer<
    ClientToServerEvents,
    ServerToClientEvents,
    Record<string, never>,
    SocketData
  >;
  server.use(async (socket, next) => {
    const auth = socket.handshake.auth as Partial<SocketAuth>;
    let t;
    try {
      t = typeof auth.token === 'string' ? await liveAccessToken(ctx, auth.token) : null;
    } catch (err) {
      if (!isUnreachable(err)) return next(err as Error);
      // an error here would end the client's reconnection for good: cut the transport instead,
      // and the client tries again with its backoff (docs/operations.md, "Faults")
      socket.conn.close();
      return;
    }
    if (!t) return next(new Error('UNAUTHENTICATED'));
    const p = t.principal;
    socket.data = {
      orgId: p.orgId,
      userId: p.id,
      roles: p.roles,
      sessionId: p.sessionId,
      expiresAt: t.expiresAt,
    };
    next();
  });
  server.on('connection', async (socket) => {
    // a socket lives no longer than its token: the client reconnects with a fresh one
    const expiry = setTimeout(
      () => socket.disconnect(true),
      Math.max(0, socket.data.expiresAt - Date.now()),
    );
    socket.on('disconnect', () => clearTimeout(expiry));
    await socket.join([
      orgRoom(socket.data.orgId),
      userRoom(socket.data.userId),
      sessionRoom(socket.data.sessionId),
    ]);
    socket.on('events:replay', async (after, ack) => {
      if (!Number.isSafeInteger(after) || after < 0 || typeof ack !== 'function') return;
      const done = await replay(ctx, socket, after).catch((err: unknown) => replayFailed(err));
      if (done) ack(done);
    });
    const lastSeq = Number((socket.handshake.auth as Partial<SocketAuth>).lastSeq);
    if (Number.isSafeInteger(lastSeq) && lastSeq >= 0) {
      const done = await replay(ctx, socket, lastSeq).catch((err: unknown) => replayFailed(err));
      if (done) socket.emit('replay:done', done);
    }

    /**
     * The log could not be read (the database went away): a socket left open would get live
     * events past what it missed and never the missed ones. Closing the transport (not
     * disconnect(), after which a client does not come back) makes the client reconnect with
     * its backoff and ask again from the same seq (EventCursor).
     */
    function replayFailed(err: unknown): undefined {
      ctx.log.warn({ err: String(err) }, 'replay failed: the socket reconnects to ask again');
      socket.conn.close();

      return undefined;
    }
  });
}

import type { Logger } from 'pino';
import type { Server as IoServer } from 'socket.io';
import type { Availability } from '../db/availability.js';
import { RETRY_AFTER_S } from '../db/availability.js';

/**
 * Tells this node's sockets why they are about to be cut, then closes their transports: a
 * Socket.IO client reconnects by itself after a transport close, and its reconnection carries
 * its last seq, so the node it reaches replays from the event log whatever it missed meanwhile.
 */
export function reconnectLocalSockets(
  io: IoServer,
  event: 'hub:unavailable' | 'hub:resync',
  info: { reason: string; detail: string; replayFrom?: number },
): number {
  const sockets = [...io.of('/').sockets.values()];
  for (const s of sockets) {
    s.emit(event, { ...info, retryAfter: RETRY_AFTER_S });
    // after what was queued for it (the notice above included) has been written
    s.conn.close();
  }

  return sockets.length;
}

/**
 * While the database is away a socket could neither authenticate nor replay, so its clients are
 * asked to come back later: `hub:unavailable`, their transports closed, and new connections
 * refused at the transport (the client's reconnection loop keeps trying, with its backoff).
 */
export function watchDatabaseForSockets(io: IoServer, availability: Availability, log: Logger) {
  availability.on('down', (outage) => {
    const n = reconnectLocalSockets(io, 'hub:unavailable', {
      reason: outage.reason,
      detail: outage.detail,
    });
    log.warn({ sockets: n, reason: outage.reason }, 'sockets told the database is away');
  });
}

/** engine.io's allowRequest: no new transport while the database is away. */
export function allowWhileAvailable(availability: Availability) {
  return (_req: unknown, callback: (err: string | null | undefined, ok: boolean) => void) =>
    availability.available ? callback(null, true) : callback('UNAVAILABLE', false);
}

/**
 * A publication failed after its seqs were handed out (the database went away mid-write): some
 * of its events may be stored yet never emitted, below seqs this node emits next. This node's
 * sockets are asked to replay from before them (`hub:resync`), ahead of any later emission.
 */
export function resyncFrom(io: IoServer, replayFrom: number, log: Logger): void {
  const n = reconnectLocalSockets(io, 'hub:resync', {
    reason: 'publication-failed',
    detail: 'Một thông báo có thể chưa được gửi; hãy kết nối lại để nhận bù.',
    replayFrom,
  });
  log.warn({ sockets: n, replayFrom }, 'a publication failed: sockets asked to replay');
}

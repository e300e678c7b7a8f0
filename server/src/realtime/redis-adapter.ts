import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Server as IoServer } from 'socket.io';

export type RealtimeBridge = { close(): Promise<void> };

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Carries Socket.IO broadcasts between hub nodes through Redis pub/sub, so an event published
 * on node A reaches the sockets held by node B. Redis only relays live packets: what a client
 * missed is replayed from the MongoDB event log by whichever node it reconnects to.
 */
export async function installRedisAdapter(
  io: IoServer,
  url: string,
  log: Logger,
): Promise<RealtimeBridge> {
  const pub = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS } });
  const sub = pub.duplicate();
  // without a listener node-redis would crash the process on a dropped connection; it reconnects
  for (const c of [pub, sub]) c.on('error', (err: unknown) => log.warn({ err }, 'redis error'));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  log.info('Socket.IO events relayed between nodes through Redis');

  return {
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

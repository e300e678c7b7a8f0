import type { Logger } from 'pino';
import type { Server as IoServer } from 'socket.io';

export type RealtimeBridge = { close(): Promise<void> };

const CONNECT_TIMEOUT_MS = 10_000;
/** How long a stopping hub lets its last publishes reach Redis before it drops the connections. */
const CLOSE_MS = 2_000;

/**
 * Carries Socket.IO broadcasts between hub nodes through Redis pub/sub, so an event published
 * on node A reaches the sockets held by node B. Redis only relays live packets: what a client
 * missed is replayed from the MongoDB event log by whichever node it reconnects to.
 */
export async function installRedisAdapter(
  io: IoServer,
  url: string,
  log: Logger,
  /** Redis is back after an outage: what other nodes published meanwhile never came here. */
  onRecovered: () => void = () => undefined,
  /** Redis was lost (called once per outage, before onRecovered). */
  onLost: () => void = () => undefined,
): Promise<RealtimeBridge> {
  // loaded only by hubs that have a REDIS_URL: node-redis is ~700 files, 0.3 s of every start
  const [{ createAdapter }, { createClient }] = await Promise.all([
    import('@socket.io/redis-adapter'),
    import('redis'),
  ]);
  const pub = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS } });
  const sub = pub.duplicate();
  const lost = new Set<unknown>();
  // without a listener node-redis would crash the process on a dropped connection; it reconnects
  for (const c of [pub, sub]) {
    c.on('error', (err: unknown) => {
      if (lost.size === 0) {
        log.warn({ err }, 'redis unreachable; events between nodes wait for it');
        onLost();
      }
      lost.add(c);
    });
    c.on('ready', () => {
      if (!lost.delete(c) || lost.size > 0) return;
      log.info('redis is back; sockets of this node reconnect to replay what they missed');
      onRecovered();
    });
  }
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  log.info('Socket.IO events relayed between nodes through Redis');

  return {
    // not quit(): while Redis is unreachable its QUIT waits for an answer that never comes
    close: async () => {
      const flushed = Promise.allSettled([pub.close(), sub.close()]);
      await Promise.race([flushed, new Promise((r) => setTimeout(r, CLOSE_MS).unref())]);
      for (const c of [pub, sub]) c.destroy();
    },
  };
}

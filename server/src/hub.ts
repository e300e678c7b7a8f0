import type { Router } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Server as IoServer } from 'socket.io';
import { Bus } from './bus.js';
import type { Config } from './config/config.js';
import type { HubContext, HubServices } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { ensureIndexes } from './db/indexes.js';
import { createApp, type Mount } from './http/app.js';
import { clientRouter } from './http/client.js';
import { openApiRoutes } from './http/openapi.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { createLogger } from './logger.js';
import { modules } from './modules/index.js';
import { loadOrCreateSecret } from './secrets.js';
import { installRedisAdapter } from './realtime/redis-adapter.js';
import { lastSeq } from './modules/events/index.js';
import {
  allowWhileAvailable,
  reconnectLocalSockets,
  watchDatabaseForSockets,
} from './realtime/outage.js';
import { limitsRouter, retryAfterMount } from './http/limits.js';
import { databaseErrors } from './http/fail-fast.js';

export type Hub = { url: string; ctx: HubContext; http: HttpServer; close(): Promise<void> };

const DRAIN_MS = 2_000;
/** A module's close hook (a last flush) may not hold a shutdown while the database is away. */
const CLOSE_HOOK_MS = 1_000;

function watchPool(db: Database, metrics: Metrics): void {
  const client = db.conn.getClient();
  client.on('connectionCreated', () => metrics.mongoPoolConnections.inc());
  client.on('connectionClosed', () => metrics.mongoPoolConnections.dec());
  client.on('connectionCheckedOut', () => metrics.mongoCheckedOut.inc());
  client.on('connectionCheckedIn', () => metrics.mongoCheckedOut.dec());
}

function attachSockets(http: HttpServer, ctx: HubContext): IoServer {
  const io = new IoServer(http, {
    serveClient: false,
    allowRequest: allowWhileAvailable(ctx.db.availability),
  });
  watchDatabaseForSockets(io, ctx.db.availability, ctx.log);
  io.on('connection', (socket) => {
    ctx.metrics.socketConnections.inc();
    socket.on('disconnect', () => ctx.metrics.socketConnections.dec());
  });

  return io;
}

function listen(http: HttpServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve(http.address() as AddressInfo));
  });
}

/**
 * Everything but HTTP: database, secrets, metrics, every module initialised (indexes, PKI
 * hierarchy, first admin). Used by the hub and by commands such as `lienthong seed`.
 */
export async function createContext(
  config: Config,
  opts: { log?: Logger; dbName?: string } = {},
): Promise<HubContext> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const db = await openDatabase({
    uri: config.MONGODB_URI,
    dataDir: config.dataDir,
    dbName: opts.dbName,
    log,
  });
  watchPool(db, metrics);
  const secrets = {
    jwt: loadOrCreateSecret(config.dataDir, 'secrets/jwt.key', config.JWT_SECRET),
    master: loadOrCreateSecret(config.dataDir, 'secrets/master.key', config.LIENTHONG_MASTER_KEY),
  };
  // filled in module order: a module's init may use the services of the modules before it
  const services: Record<string, unknown> = {};
  const ctx: HubContext = {
    ...{ config, log, db, metrics, secrets, bus: new Bus() },
    services: services as unknown as HubServices,
  };
  try {
    await ensureIndexes(
      db.conn,
      modules.flatMap((m) => m.models ?? []),
    );
    for (const m of modules) {
      const own = await m.init?.(ctx);
      if (own !== undefined) services[m.name] = own;
    }
  } catch (err) {
    await db.close();
    throw err;
  }

  return ctx;
}

/** Lets every module finish (close hooks), then closes the database and a local engine. */
export async function closeContext(ctx: HubContext): Promise<void> {
  await ctx.bus.settled();
  for (const m of modules) {
    if (!m.close) continue;
    const hook = Promise.resolve(m.close(ctx)).catch((err: unknown) =>
      // the database went away: what the hook would have written is lost, the stop goes on
      ctx.log.warn({ err, module: m.name }, 'close hook failed'),
    );
    if (ctx.db.availability.available) await hook;
    else await Promise.race([hook, new Promise((r) => setTimeout(r, CLOSE_HOOK_MS).unref())]);
  }
  await ctx.db.close();
}

/**
 * Redis is back: events other nodes published while it was away never reached this node's
 * sockets, so they reconnect and replay from the seq handed out when the relay was lost.
 */
async function resync(ctx: HubContext, lostAt: Promise<number> | undefined): Promise<void> {
  const replayFrom = await (lostAt ?? Promise.resolve(0));
  const n = reconnectLocalSockets(ctx.io!, 'hub:resync', {
    reason: 'relay',
    detail: 'Redis đã hoạt động lại',
    replayFrom,
  });
  ctx.log.info({ sockets: n, replayFrom }, 'sockets asked to replay after the Redis outage');
}

/** Starts a hub: database, HTTP + Socket.IO on one server, modules mounted. */
export async function startHub(
  config: Config,
  opts: { log?: Logger; dbName?: string } = {},
): Promise<Hub> {
  const ctx = await createContext(config, opts);
  const { log, db } = ctx;
  const mounts: Mount[] = [];
  for (const m of modules) mounts.push(...(await m.mount(ctx)));
  mounts.push({ path: '/api', router: openApiRoutes([...mounts]) });
  const app = createApp(ctx, [
    { path: '/api', router: limitsRouter() }, // rate limits, timeouts (docs/operations.md)
    ...mounts,
    { path: '/', router: databaseErrors(ctx) as unknown as Router }, // driver errors → 503
    retryAfterMount(),
    { path: '/', router: clientRouter() },
  ]);
  // an idle connection is kept 65 s, not Node's 5 s: a client reusing it just as the hub closes
  // it sees its request reset (fetch reuses until 1 s before the hub's stated timeout, and a busy
  // hub process fell behind by more, 1 run in 2 of the suite); load balancers keep theirs 60 s
  const http = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, app);
  ctx.io = attachSockets(http, ctx);
  // several nodes: broadcasts travel through Redis (docs/operations.md)
  let relayLostAt: Promise<number> | undefined;
  const redis = config.REDIS_URL
    ? await installRedisAdapter(
        ctx.io,
        config.REDIS_URL,
        log,
        () => void resync(ctx, relayLostAt),
        () => (relayLostAt = lastSeq(ctx).catch(() => 0)),
      )
    : undefined;
  for (const m of modules) await m.realtime?.(ctx, ctx.io);
  const addr = await listen(http, config.PORT, config.HOST).catch(async (err) => {
    await redis?.close();
    await db.close();
    throw err;
  });
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log.info({ url, mongodb: db.mode }, 'LiênThông hub listening');

  return { url, ctx, http, close: () => closeHub(http, ctx).finally(() => redis?.close()) };
}

async function closeHub(http: HttpServer, ctx: HubContext): Promise<void> {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeIdleConnections();
  const drained = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), DRAIN_MS).unref()),
  ]);
  if (!drained) http.closeAllConnections();
  ctx.io?.disconnectSockets(true);
  await new Promise<void>((resolve) => (ctx.io ? ctx.io.close(() => resolve()) : resolve()));
  await closeContext(ctx);
  ctx.log.info('LiênThông hub stopped');
}

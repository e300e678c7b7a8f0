import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { maskUri } from '../logger.js';
import { decideEngine, type EngineDecision } from './engine/decide.js';
import { machineFacts } from './engine/facts.js';
import { readRuntimeEngine } from './engine/runtime-file.js';
import { superviseLocalEngine } from './engine/supervisor.js';
import { Availability } from './availability.js';
import { watchAvailability } from './watch.js';
import { guardDriverWrites } from './driver-guard.js';

export type EngineMode = 'uri' | 'local-engine' | 'memory-server';

export type Database = {
  conn: Connection;
  mode: EngineMode;
  /** Whether the database answers now, and why not (db/watch.ts, engine/supervisor.ts). */
  availability: Availability;
  /** Free bytes on DATA_DIR's filesystem when the data is there (local engine), else null. */
  freeBytes(): number | null;
  close(): Promise<void>;
  version(): Promise<string>;
};

export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

type Engine = {
  uri: string;
  mode: EngineMode;
  stop(): Promise<void>;
  freeBytes?: () => number | null;
  /** The database answered: a restart in progress is over. */
  ready?: () => void;
};

async function startEngine(
  decision: EngineDecision,
  dataDir: string,
  log: Logger,
  availability: Availability,
): Promise<Engine> {
  switch (decision.mode) {
    case 'uri':
      return { uri: decision.uri, mode: 'uri', stop: async () => undefined };
    case 'local-engine': {
      const running = readRuntimeEngine(dataDir);
      if (running) {
        log.info(
          { pid: running.ownerPid },
          'using the local MongoDB engine of the hub running on this DATA_DIR',
        );

        return { uri: running.uri, mode: 'local-engine', stop: async () => undefined };
      }
      log.info({ loader: decision.loader }, 'starting the local MongoDB engine');
      const engine = await superviseLocalEngine({
        dataDir,
        loader: decision.loader,
        log,
        availability,
      });

      return {
        uri: engine.uri,
        mode: 'local-engine',
        stop: engine.stop,
        freeBytes: engine.freeBytes,
        ready: engine.ready,
      };
    }
    case 'memory-server': {
      const { MongoMemoryServer } = await import('mongodb-memory-server-core');
      const server = await MongoMemoryServer.create();

      return {
        uri: server.getUri(),
        mode: 'memory-server',
        stop: async () => void (await server.stop()),
      };
    }
    case 'none':
      throw new DatabaseUnavailableError(
        `Không khởi động được MongoDB cục bộ (${decision.reason}); hãy đặt MONGODB_URI trỏ tới một máy chủ MongoDB.`,
      );
  }
}

// A stack trace per query (for "Query was already executed") costs a source-map lookup under
// tsx on every query of the hot path; we never execute a query twice.
mongoose.set('skipOriginalStackTraces', true);
guardDriverWrites();

/**
 * While no server answers, an operation fails after this long instead of waiting: requests then
 * answer 503 at once rather than hang (the fail-fast middleware refuses them even earlier).
 */
export const SERVER_SELECTION_MS = 2_500;
/** Closing the connection to a dead engine must not hold a shutdown. */
const CLOSE_MS = 1_500;

/** Connects to MONGODB_URI, or starts a local engine when it is unset. */
export async function openDatabase(opts: {
  uri: string | undefined;
  dataDir: string;
  dbName?: string;
  log: Logger;
}): Promise<Database> {
  const availability = new Availability();
  const engine = await startEngine(
    decideEngine(machineFacts(opts.uri)),
    opts.dataDir,
    opts.log,
    availability,
  );
  const conn = mongoose.createConnection(engine.uri, {
    serverSelectionTimeoutMS: SERVER_SELECTION_MS,
    // the driver checks a lost server this often: recovery is seen within a second or two
    heartbeatFrequencyMS: 1_000,
    // no queueing in mongoose while disconnected (it would wait 10 s): the driver decides
    bufferCommands: false,
    // an engine SIGKILLed (OOM killer, crash) keeps what it acknowledged: writes wait for its
    // journal (with MONGODB_URI the URI says, e.g. w=majority&journal=true)
    ...(engine.mode === 'local-engine' ? { writeConcern: { w: 1, journal: true } } : {}),
    ...(opts.dbName ? { dbName: opts.dbName } : {}),
  });
  try {
    await conn.asPromise();
  } catch (err) {
    await conn.close().catch(() => undefined);
    await engine.stop();
    throw new DatabaseUnavailableError(
      `Không kết nối được MongoDB tại ${maskUri(engine.uri)} (${(err as Error).message}); hãy kiểm tra máy chủ đang chạy, hoặc bỏ MONGODB_URI để dùng MongoDB cục bộ.`,
    );
  }

  const watcher = watchAvailability({
    conn,
    availability,
    log: opts.log,
    // a local engine's death is told by its supervisor, which also restarts it
    onUp: () => engine.ready?.(),
    countFailures: engine.mode === 'uri',
  });

  return {
    conn,
    mode: engine.mode,
    availability,
    freeBytes: () => engine.freeBytes?.() ?? null,
    version: async () => {
      const info = await conn.db!.admin().command({ buildInfo: 1 });

      return String(info.version);
    },
    close: async () => {
      watcher.stop();
      // a dead engine cannot answer the driver's goodbye: force after CLOSE_MS
      await Promise.race([
        conn.close(!availability.available),
        new Promise((r) => setTimeout(r, CLOSE_MS).unref()),
      ]).catch(() => undefined);
      await engine.stop();
    },
  };
}

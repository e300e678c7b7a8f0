import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { maskUri } from '../logger.js';
import { decideEngine, type EngineDecision } from './engine/decide.js';
import { machineFacts } from './engine/facts.js';
import { startLocalEngine } from './engine/local-engine.js';
import {
  readRuntimeEngine,
  removeRuntimeEngine,
  writeRuntimeEngine,
} from './engine/runtime-file.js';

export type EngineMode = 'uri' | 'local-engine' | 'memory-server';

export type Database = {
  conn: Connection;
  mode: EngineMode;
  close(): Promise<void>;
  version(): Promise<string>;
};

export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

type Engine = { uri: string; mode: EngineMode; stop(): Promise<void> };

async function startEngine(
  decision: EngineDecision,
  dataDir: string,
  log: Logger,
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
      const engine = await startLocalEngine(`${dataDir}/db`, decision.loader);
      writeRuntimeEngine(dataDir, {
        uri: engine.uri,
        enginePid: engine.pid,
        ownerPid: process.pid,
      });

      return {
        uri: engine.uri,
        mode: 'local-engine',
        stop: async () => {
          removeRuntimeEngine(dataDir, process.pid);
          await engine.stop();
        },
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

/** Connects to MONGODB_URI, or starts a local engine when it is unset. */
export async function openDatabase(opts: {
  uri: string | undefined;
  dataDir: string;
  dbName?: string;
  log: Logger;
}): Promise<Database> {
  const engine = await startEngine(decideEngine(machineFacts(opts.uri)), opts.dataDir, opts.log);
  const conn = mongoose.createConnection(engine.uri, {
    serverSelectionTimeoutMS: 10_000,
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

  return {
    conn,
    mode: engine.mode,
    version: async () => {
      const info = await conn.db!.admin().command({ buildInfo: 1 });

      return String(info.version);
    },
    close: async () => {
      await conn.close();
      await engine.stop();
    },
  };
}

import type { Logger } from 'pino';
import type { Server as IoServer } from 'socket.io';
import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import type { Metrics } from './http/metrics.js';

/** What every module gets from the hub: built once at start, passed down explicitly. */
export type HubContext = {
  config: Config;
  log: Logger;
  db: Database;
  metrics: Metrics;
  /** Loaded once at start from the environment or DATA_DIR; never logged or returned. */
  secrets: { jwt: Buffer; master: Buffer };
  io?: IoServer;
};

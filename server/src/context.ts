import type { Logger } from 'pino';
import type { Server as IoServer } from 'socket.io';
import type { Bus } from './bus.js';
import type { Config } from './config/config.js';
import type { Database } from './db/database.js';
import type { Metrics } from './http/metrics.js';

/**
 * Each module's per-hub services, as its `init` returned them. A module adds its own entry from
 * its folder (`declare module '../../context.js'`), so this file knows no module.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HubServices {}

/** What every module gets from the hub: built once at start, passed down explicitly. */
export type HubContext = {
  config: Config;
  log: Logger;
  db: Database;
  metrics: Metrics;
  /** Loaded once at start from the environment or DATA_DIR; never logged or returned. */
  secrets: { jwt: Buffer; master: Buffer };
  /** How modules announce side effects to each other (docs/architecture.md). */
  bus: Bus;
  services: HubServices;
  io?: IoServer;
};

import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { startHub } from '../hub.js';
import { isUnreachable } from '../db/unreachable.js';

const HARD_EXIT_MS = 5_000;

export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let hub;
  try {
    hub = await startHub(config);
  } catch (err) {
    if (
      err instanceof DatabaseUnavailableError ||
      (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ) {
      process.stderr.write(`lienthong: ${(err as Error).message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // A background write (a counter flush, an audit append) cut by the database going away must
  // not end the hub: it is logged, and recovery goes on. Anything else still ends the process.
  process.on('unhandledRejection', (err) => {
    if (!isUnreachable(err)) throw err;
    hub.ctx.log.error({ err }, 'a background database operation failed while MongoDB was away');
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.ctx.log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), HARD_EXIT_MS).unref();
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        hub.ctx.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // recovery gave up (docs/operations.md): exit non-zero so systemd or Kubernetes restart us
  hub.ctx.db.availability.once('fatal', (message) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`lienthong: ${message}\n`);
    setTimeout(() => process.exit(1), HARD_EXIT_MS).unref();
    void hub.close().finally(() => process.exit(1));
  });
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Chạy máy chủ LiênThông (REST, Socket.IO, /pki, giao diện web)')
    .action(serve);
}

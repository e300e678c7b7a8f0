import { mkdtempSync, renameSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Availability, backoffMs, FAILURE_WINDOW_MS, FailureBudget } from '../availability.js';
import { startLocalEngine, type LocalEngine } from './local-engine.js';
import { removeRuntimeEngine, writeRuntimeEngine } from './runtime-file.js';

/**
 * Below this much free space on DATA_DIR's filesystem the engine is not restarted (it would
 * die again on its first write) and writes are refused with 507 before they reach it.
 */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;

const DISK_POLL_MS = 1_000;

/** Free bytes for an unprivileged writer on the filesystem holding `dir`. */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);

  return s.bavail * s.bsize;
}

/** The socket path in an engine URI, `mongodb://<encoded path>/?directConnection=true`. */
export function socketPathOf(uri: string): string {
  const m = /^mongodb:\/\/([^/]+)\//.exec(uri);
  if (!m) throw new Error(`not a socket URI: ${uri}`);

  return decodeURIComponent(m[1]!);
}

export type SupervisedEngine = {
  /** Stable across restarts: a symlink to the current engine's socket. */
  uri: string;
  /** Free bytes on DATA_DIR's filesystem, or null when it cannot be read. */
  freeBytes(): number | null;
  /** True after the engine died and before its replacement answers (mark it so with ready()). */
  readonly restarting: boolean;
  /** The database answered after a restart: the restart counts as successful. */
  ready(): void;
  stop(): Promise<void>;
};

/**
 * Runs the local engine's sidecar and restarts it when it dies. The engine listens on a socket
 * whose path changes with every start, so the driver is given a symlink that is pointed at the
 * new socket after each restart: the driver's own monitor then reconnects, with the models and
 * their connection untouched. Each step is logged; a restart that fails (the engine does not
 * start, or dies before the database answered) counts against the budget, and when it is spent
 * `availability.fatal` tells the hub to exit.
 */
export async function superviseLocalEngine(opts: {
  dataDir: string;
  loader: 'system' | 'newer-glibc';
  log: Logger;
  availability: Availability;
}): Promise<SupervisedEngine> {
  const { dataDir, loader, log, availability } = opts;
  const dbDir = join(dataDir, 'db');
  const linkDir = mkdtempSync(join(tmpdir(), 'lienthong-db-'));
  const link = join(linkDir, 'mongodb.sock');
  const uri = `mongodb://${encodeURIComponent(link)}/?directConnection=true`;
  const budget = new FailureBudget();
  const stopping = new AbortController();
  let engine: LocalEngine | undefined;
  let restarting = false;
  let attempt = 0;

  const free = (): number | null => {
    try {
      return freeBytes(dataDir);
    } catch {
      return null;
    }
  };

  async function start(): Promise<void> {
    const e = await startLocalEngine(dbDir, loader);
    // point the stable path at the new socket in one rename: the driver never sees it missing
    const tmpLink = `${link}.${e.pid}`;
    symlinkSync(socketPathOf(e.uri), tmpLink);
    renameSync(tmpLink, link);
    engine = e;
    writeRuntimeEngine(dataDir, { uri, enginePid: e.pid, ownerPid: process.pid });
    void e.exited.then((how) => {
      if (engine === e && !stopping.signal.aborted) void died(e, how);
    });
  }

  /** What a SIGKILLed engine leaves behind: its socket's private directory. */
  function cleanUp(e: LocalEngine): void {
    const dir = dirname(socketPathOf(e.uri));
    if (dirname(dir) === tmpdir() && basename(dir).startsWith('embedded-mongodb-')) {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function died(e: LocalEngine, how: { code: number | null; signal: string | null }) {
    if (restarting) {
      // it died before the database answered: that restart failed
      log.error({ pid: e.pid, ...how }, 'the restarted MongoDB engine died before it answered');
      if (budget.fail()) return giveUp();
    } else {
      log.error({ pid: e.pid, ...how }, 'the local MongoDB engine exited; restarting it');
      attempt = 0;
    }
    restarting = true;
    cleanUp(e);
    availability.down('engine-down', `MongoDB cục bộ đã dừng (${how.signal ?? `mã ${how.code}`})`);
    await restart();
  }

  function giveUp(): void {
    const message = `MongoDB cục bộ không khởi động lại được: ${budget.count} lần thất bại trong ${FAILURE_WINDOW_MS / 1000} giây; hãy xem nhật ký và thư mục ${dbDir}.`;
    log.fatal(message);
    availability.fatal(message);
  }

  async function waitForSpace(): Promise<void> {
    let told = false;
    for (;;) {
      const f = free();
      if (f === null || f >= MIN_FREE_BYTES) return;
      if (!told) {
        log.error(
          { freeBytes: f, dataDir },
          'DATA_DIR is full; the engine restarts when space returns',
        );
        told = true;
      }
      availability.down('disk-full', `Đĩa của DATA_DIR đã đầy (còn ${Math.floor(f / 1024)} KB)`);
      await sleep(DISK_POLL_MS, undefined, { signal: stopping.signal });
    }
  }

  async function restart(): Promise<void> {
    try {
      for (;;) {
        await waitForSpace();
        const delay = backoffMs(attempt++);
        log.info({ attempt, delayMs: delay }, 'restarting the local MongoDB engine');
        await sleep(delay, undefined, { signal: stopping.signal });
        try {
          await start();
          log.info({ pid: engine!.pid }, 'the local MongoDB engine is running again');

          return;
        } catch (err) {
          log.error({ err }, 'the local MongoDB engine did not start');
          if (budget.fail()) return giveUp();
        }
      }
    } catch (err) {
      if (!stopping.signal.aborted) throw err;
    }
  }

  await start();

  return {
    uri,
    freeBytes: free,
    get restarting() {
      return restarting;
    },
    ready: () => {
      if (restarting) log.info('the database answers again after the engine restart');
      restarting = false;
    },
    stop: async () => {
      stopping.abort();
      removeRuntimeEngine(dataDir, process.pid);
      await engine?.stop();
      rmSync(linkDir, { recursive: true, force: true });
    },
  };
}

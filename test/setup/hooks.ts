/**
 * One real MongoDB engine for the whole test run (the same local engine `npm start` uses);
 * every test file then works in a database of its own. Tests that need a hub start one on a
 * random port through test/support/hub.ts.
 *
 * First the compiled server is brought up to date (scripts/build.mjs --server: only modules
 * whose output changed are rewritten, well under a second): tests that run `bin/lienthong.mjs`
 * as a real process then run exactly what users run, never a stale build of older sources.
 * Then the web client (client-build.ts), once for all the client test files, and only when its
 * inputs changed; a run that names only server test files skips it. The build is not awaited:
 * the workers start on the first (server) files meanwhile, and each client file waits for it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideEngine } from '../../server/src/db/engine/decide.js';
import { machineFacts } from '../../server/src/db/engine/facts.js';
import { startLocalEngine, type LocalEngine } from '../../server/src/db/engine/local-engine.js';
import { startClientBuild } from './client-build.js';

let engine: LocalEngine | undefined;
let dir: string | undefined;
let clientBuild: Promise<void> | undefined;

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The run's temporary files (the engine's data, test hubs' folders, the PDF corpus, tsx's cache)
 * go to memory when /dev/shm has room for them: on disk, the engine's journal syncs cost CPU as
 * well as waiting (test/server/modules/*: 148–157 s of CPU on disk, 124 s in memory). A
 * container's 64 MB /dev/shm has not; TEST_TMP_SHM=0 keeps them on disk.
 */
function memoryHasRoom(): boolean {
  if (process.env.TEST_TMP_SHM === '0' || !existsSync('/dev/shm')) return false;
  const { bavail, bsize } = statfsSync('/dev/shm');

  return bavail * bsize > 4 * 1024 ** 3;
}

function buildServer(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--server'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the server build failed:\n${r.stdout}${r.stderr}`);
}

/** False when every spec on the command line names one test file outside test/client. */
function runsClientTests(): boolean {
  const named = process.argv.slice(2).filter((a) => a.endsWith('.test.ts'));
  const mayBeClient = (a: string) => /[*?[{]/.test(a) || a.split(/[\\/]/).includes('client');

  return named.length === 0 || named.some(mayBeClient);
}

export async function mochaGlobalSetup(): Promise<void> {
  buildServer();
  if (memoryHasRoom()) process.env.TMPDIR = '/dev/shm';
  dir = mkdtempSync(join(tmpdir(), 'lienthong-test-run-'));
  // the run's temp folders (test hubs' data, the validation PKI), removed at teardown
  process.env.TEST_RUN_DIR = dir;
  // not awaited: the first files are server files, and the client files wait for it
  if (runsClientTests()) clientBuild = startClientBuild(join(dir, 'client-build.json'));
  clientBuild?.catch(() => undefined); // reported by the client files, thrown at teardown
  if (process.env.TEST_MONGODB_URI) return;
  const decision = decideEngine(machineFacts(undefined));
  if (decision.mode !== 'local-engine')
    throw new Error(`tests need the local MongoDB engine: ${JSON.stringify(decision)}`);
  engine = await startLocalEngine(join(dir, 'engine'), decision.loader);
  process.env.TEST_MONGODB_URI = engine.uri;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await engine?.stop();
  await clientBuild;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * The web client, built once per test run into client/dist (what `npm start` serves), and only
 * when its inputs changed since the last build: a Vite build costs tens of seconds, and every
 * client test file used to make its own.
 *
 * The inputs are exactly the files Vite read for the last build (client/src, the shared
 * contracts and whatever they import), recorded with their SHA-256 next to the build, plus the
 * lockfile for everything under node_modules.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLIENT_ROOT = join(REPO, 'client');
export const CLIENT_DIST = join(CLIENT_ROOT, 'dist');
/** In dist: express.static never serves dotfiles, and Vite empties dist on every build. */
const STAMP = join(CLIENT_DIST, '.inputs.json');
const ALWAYS = ['client/index.html', 'client/vite.config.ts', 'package-lock.json'];

type Stamp = { digest: string; files: string[] };

function digestOf(files: string[]): string | undefined {
  const h = createHash('sha256');
  for (const f of files) {
    const path = join(REPO, f);
    if (!existsSync(path)) return undefined;
    h.update(`${f}\0`).update(readFileSync(path)).update('\0');
  }

  return h.digest('hex');
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(join(CLIENT_DIST, 'index.html'))) return false;
  const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp;

  return digestOf(stamp.files) === stamp.digest;
}

/** Builds client/dist unless the files it was built from are unchanged; true when it built. */
export async function ensureClientBuild(): Promise<boolean> {
  if (isFresh()) return false;
  const { build } = await import('vite');
  const read = new Set<string>(ALWAYS);
  await build({
    root: CLIENT_ROOT,
    configFile: join(CLIENT_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [
      {
        name: 'lienthong-inputs',
        buildEnd() {
          for (const id of this.getModuleIds()) {
            const path = id.split('?')[0]!;
            const rel = relative(REPO, path);
            const ours = !id.startsWith('\0') && !rel.startsWith('..') && existsSync(path);
            if (ours && !rel.split(sep).includes('node_modules')) read.add(rel);
          }
        },
      },
    ],
  });
  const files = [...read].sort();
  const stamp: Stamp = { digest: digestOf(files)!, files };
  writeFileSync(STAMP, JSON.stringify(stamp));

  return true;
}

/**
 * Where the global setup says how the build it started ended: it builds while the first
 * (server) test files run, and each client test file waits here for it (test files run in
 * worker processes, so the news goes through a file named in their inherited environment).
 */
const BUILD_REPORT = 'TEST_CLIENT_BUILD_REPORT';

/** Starts the build (when the inputs changed); its end is written where `clientBuilt` looks. */
export function startClientBuild(reportFile: string): Promise<void> {
  process.env[BUILD_REPORT] = reportFile;

  return ensureClientBuild().then(
    () => writeFileSync(reportFile, JSON.stringify({ ok: true })),
    (e: unknown) => {
      writeFileSync(reportFile, JSON.stringify({ ok: false, error: String(e) }));
      throw e;
    },
  );
}

/** Resolves once client/dist is built for this run; throws the build's error if it failed. */
export async function clientBuilt(): Promise<void> {
  const reportFile = process.env[BUILD_REPORT];
  if (reportFile) {
    for (let waited = 0; !existsSync(reportFile); waited += 250) {
      if (waited > 300_000) throw new Error('the client build has not ended after 5 minutes');
      await sleep(250);
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { ok: boolean; error?: string };
    if (!report.ok) throw new Error(`the client build failed: ${report.error}`);
  }
  if (!existsSync(join(CLIENT_DIST, 'index.html')))
    throw new Error('client/dist is missing: the global setup (test/setup/hooks.ts) builds it');
}

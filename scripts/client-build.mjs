// client/dist with Vite, rebuilt only when its inputs changed since the last build: `npm ci`'s
// prepare script (build.mjs) and the test run's global setup (test/setup/client-build.ts) both
// call it, so a fresh clone builds the client once, at installation, and its first `npm test`
// finds it fresh instead of spending a minute of CPU on the same build again.
//
// The inputs are exactly the files Vite read for the last build (client/src, the shared
// contracts and whatever they import), recorded with their SHA-256 next to the build, plus the
// lockfile for everything under node_modules.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const CLIENT_ROOT = join(REPO, 'client');
export const CLIENT_DIST = join(CLIENT_ROOT, 'dist');
/** In dist: express.static never serves dotfiles, and Vite empties dist on every build. */
const STAMP = join(CLIENT_DIST, '.inputs.json');
const ALWAYS = ['client/index.html', 'client/vite.config.ts', 'package-lock.json'];

function digestOf(files) {
  const h = createHash('sha256');
  for (const f of files) {
    const path = join(REPO, f);
    if (!existsSync(path)) return undefined;
    h.update(`${f}\0`).update(readFileSync(path)).update('\0');
  }

  return h.digest('hex');
}

function isFresh() {
  if (!existsSync(STAMP) || !existsSync(join(CLIENT_DIST, 'index.html'))) return false;
  const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));

  return digestOf(stamp.files) === stamp.digest;
}

/** Builds client/dist unless its inputs are unchanged (Vite loaded only then); true when it built. */
export async function ensureClientBuild(loadVite) {
  if (isFresh()) return false;
  const vite = await loadVite();
  const read = new Set(ALWAYS);
  await vite.build({
    root: CLIENT_ROOT,
    configFile: join(CLIENT_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [
      {
        name: 'lienthong-inputs',
        buildEnd() {
          for (const id of this.getModuleIds()) {
            const path = id.split('?')[0];
            const rel = relative(REPO, path);
            const ours = !id.startsWith('\0') && !rel.startsWith('..') && existsSync(path);
            if (ours && !rel.split(sep).includes('node_modules')) read.add(rel);
          }
        },
      },
    ],
  });
  const files = [...read].sort();
  writeFileSync(STAMP, JSON.stringify({ digest: digestOf(files), files }));

  return true;
}

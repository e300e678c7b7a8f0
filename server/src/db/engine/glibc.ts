import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The embedded engine needs glibc ≥ 2.38; Debian 12 has 2.36. Rather than touch the system
 * libc, the sidecar alone is started through the loader of Debian 13's libc6, unpacked into a
 * private cache with a private apt state.
 */
const SUITE = 'deb http://deb.debian.org/debian trixie main';

function triplet(): { dir: string; loader: string } {
  return process.arch === 'arm64'
    ? { dir: 'aarch64-linux-gnu', loader: 'ld-linux-aarch64.so.1' }
    : { dir: 'x86_64-linux-gnu', loader: 'ld-linux-x86-64.so.2' };
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');

  return join(base, 'lienthong', 'glibc');
}

export function loaderPaths(root = cacheRoot()): { loader: string; libDir: string } {
  const t = triplet();
  const libDir = join(root, 'root', 'usr', 'lib', t.dir);

  return { loader: join(libDir, t.loader), libDir };
}

/** Fetches and unpacks Debian 13's libc6 once; later calls return the cached loader. */
export async function ensureNewerGlibc(
  root = cacheRoot(),
): Promise<{ loader: string; libDir: string }> {
  const paths = loaderPaths(root);
  if (existsSync(paths.loader)) return paths;
  const apt = join(root, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial', 'debs']) {
    mkdirSync(join(apt, d), { recursive: true });
  }
  writeFileSync(join(apt, 'sources.list'), `${SUITE}\n`);
  const opts = [
    `-o`,
    `Dir::Etc::SourceList=${join(apt, 'sources.list')}`,
    `-o`,
    `Dir::Etc::SourceParts=/dev/null`,
    `-o`,
    `Dir::State::Lists=${join(apt, 'lists')}`,
    `-o`,
    `Dir::Cache=${join(apt, 'cache')}`,
    `-o`,
    `Debug::NoLocking=1`,
  ];
  await run('apt-get', [...opts, '-q', 'update'], { timeout: 120_000 });
  await run('apt-get', [...opts, '-q', 'download', 'libc6'], {
    cwd: join(apt, 'debs'),
    timeout: 120_000,
  });
  const deb = readdirSync(join(apt, 'debs')).find(
    (f) => f.startsWith('libc6_') && f.endsWith('.deb'),
  );
  if (!deb) throw new Error('apt-get download libc6 produced no package');
  await run('dpkg', ['-x', join(apt, 'debs', deb), join(root, 'root')]);
  rmSync(join(apt, 'lists'), { recursive: true, force: true });
  if (!existsSync(paths.loader)) throw new Error(`libc6 package has no ${paths.loader}`);

  return paths;
}

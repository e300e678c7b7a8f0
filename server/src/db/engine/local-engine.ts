import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureNewerGlibc } from './glibc.js';

export type LocalEngine = {
  uri: string;
  pid: number;
  stop(): Promise<void>;
  /** Settles when the sidecar has exited, for whatever reason (stop(), a crash, a kill). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

const SIDECAR = fileURLToPath(
  new URL(`./sidecar${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 4_000;

async function command(loader: 'system' | 'newer-glibc'): Promise<string[]> {
  // the compiled hub (build/) runs the compiled sidecar with plain node; tsx only for sources
  const node = SIDECAR.endsWith('.ts')
    ? [process.execPath, '--import', 'tsx', SIDECAR]
    : [process.execPath, SIDECAR];
  if (loader === 'system') return node;
  // Only the sidecar runs on the newer glibc; node is given by absolute path because the loader
  // does not search PATH.
  const glibc = await ensureNewerGlibc();

  return [glibc.loader, '--library-path', glibc.libDir, ...node];
}

/** Starts the embedded engine in a sidecar process over `dir` and returns its URI. */
export async function startLocalEngine(
  dir: string,
  loader: 'system' | 'newer-glibc',
): Promise<LocalEngine> {
  mkdirSync(dir, { recursive: true });
  const [file, ...args] = await command(loader);
  // detached: Ctrl-C reaches only the hub, which then stops the sidecar after closing its own
  // connections; stdin stays a pipe so the sidecar notices if the hub dies.
  const child = spawn(file!, [...args, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const uri = await readUri(child);

  return { uri, pid: child.pid!, stop: () => stopChild(child), exited };
}

function readUri(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the local MongoDB engine did not start within 60 s'));
    }, START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const msg = JSON.parse(line) as { uri?: string; error?: string };
        if (msg.uri) resolve(msg.uri);
        else reject(new Error(`the local MongoDB engine failed: ${msg.error ?? line}`));
      } catch {
        reject(new Error(`the local MongoDB engine said: ${line}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local MongoDB engine exited with code ${code} before it was ready`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

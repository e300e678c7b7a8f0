import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export type Cli = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Runs `lienthong ARGS` as a real process, the way a user would. */
export function runCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, ['bin/lienthong.mjs', ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  return { child, output: () => out, exited };
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pids of processes whose command line contains `needle`. */
export function pidsWith(needle: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A tool's exit status and its stdout + stderr. */
export function run(cmd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });

  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** As run(), without blocking: pdfsig asks this process's hub for OCSP answers meanwhile. */
export function runAsync(cmd: string, args: string[]): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('close', (code) => resolve({ status: code ?? -1, out }));
  });
}

export type CliRun = { status: number | null; stdout: string; stderr: string };

/** `lienthong ARGS` to completion, stdout and stderr apart; stdin is not a terminal (a pipe). */
export function runCliSync(args: string[], input = ''): CliRun {
  const r = spawnSync(process.execPath, ['bin/lienthong.mjs', ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    input,
    encoding: 'utf8',
  });

  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * `lienthong ARGS` on a pseudo-terminal (util-linux `script`), the way a person at a terminal
 * runs it: stdin, stdout and stderr are all the terminal. `answer(output)` is called as output
 * arrives and may return text to type (once per distinct return). Resolves with the exit status
 * and everything the terminal showed.
 */
export function runCliInPty(
  args: string[],
  answer: (output: string) => string | undefined = () => undefined,
): Promise<{ status: number | null; output: string }> {
  const command = [process.execPath, 'bin/lienthong.mjs', ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'warn', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const typed = new Set<string>();
  const onData = (d: Buffer) => {
    output += d.toString('utf8');
    const text = answer(output);
    if (text !== undefined && !typed.has(text)) {
      typed.add(text);
      child.stdin.write(text);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  return new Promise((resolve) =>
    child.once('close', (status) => {
      child.stdin.destroy();
      resolve({ status, output });
    }),
  );
}

/** Where this run keeps its temp folders (test/setup/hooks.ts removes it at the end). */
export const runDir = (): string => process.env.TEST_RUN_DIR ?? tmpdir();

/** A new folder in the run's temp folder. */
export function runTempDir(prefix: string): string {
  return mkdtempSync(join(runDir(), prefix));
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Run = { status: number | null; stdout: string; stderr: string };

/** Run openssl with arguments; never throws so tests can assert on failures too. */
export function openssl(args: string[], input?: Uint8Array | string): Run {
  const res = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 30_000 });

  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lienthong-${prefix}-`));

  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const PUBLIC_URL = 'https://hub.example.vn';
export const PASSWORD = 'test-password-123';

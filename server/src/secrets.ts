import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A secret from the environment when given, otherwise from a file in DATA_DIR created on first
 * start with mode 0600. Never logged, never returned by any route.
 */
export function loadOrCreateSecret(
  dataDir: string,
  file: string,
  fromEnv: string | undefined,
): Buffer {
  if (fromEnv)
    return /^[0-9a-fA-F]{64}$/.test(fromEnv)
      ? Buffer.from(fromEnv, 'hex')
      : Buffer.from(fromEnv, 'utf8');
  const path = join(dataDir, file);
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });

  return secret;
}

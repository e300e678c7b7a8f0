import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/config/config.js';
import { startHub, type Hub } from '../../server/src/hub.js';

export function testDbName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through mocha (npm test)');

  return uri;
}

/** A hub on a random port, in a database of its own, on the run's shared engine. */
export async function startTestHub(
  env: Record<string, string> = {},
  dbName = testDbName(),
): Promise<Hub> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'lienthong-hub-')),
    MONGODB_URI: testMongoUri(),
    ...env,
  });

  return startHub(config, { dbName });
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
};

export async function json<T = unknown>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

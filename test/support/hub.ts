import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { loadConfig } from '../../server/src/config/config.js';
import { startHub, type Hub } from '../../server/src/hub.js';
import { Hierarchies } from '../../server/src/modules/pki/models.js';
import { runTempDir } from './process.js';

export function testDbName(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function testMongoUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run the tests through mocha (npm test)');

  return uri;
}

/**
 * A hub's first start makes its CA hierarchy: four RSA keys and certificates, seconds on a busy
 * machine, and the same for every test hub with the default settings. So the first such hub of
 * a test process makes one as usual, and later ones start as that hub would restart: its
 * hierarchy document already in their fresh database, its master key (which seals the CA keys)
 * already in their DATA_DIR. Hubs whose settings shape the hierarchy or where it is kept
 * (OWN_PKI_SETTINGS, PKI_ALGORITHM, a given database) make their own, as do hubs of tests that
 * tell two hubs' hierarchies apart (`ownPki`).
 */
type SharedPki = { masterKey: string; collection: string; hierarchy: Document };
let shared: SharedPki | undefined;
let client: MongoClient | undefined;

const OWN_PKI_SETTINGS = [
  'PKI_DIR',
  'PUBLIC_URL',
  'PORT',
  'DATA_DIR',
  'LIENTHONG_MASTER_KEY',
  'MONGODB_URI',
];

function mayShare(env: Record<string, string>, dbGiven: boolean, ownPki: boolean): boolean {
  return (
    !ownPki && !dbGiven && !process.env.PKI_ALGORITHM && !OWN_PKI_SETTINGS.some((k) => k in env)
  );
}

const MASTER_KEY = 'secrets/master.key';

async function seed(pki: SharedPki, dataDir: string, dbName: string): Promise<void> {
  mkdirSync(join(dataDir, 'secrets'), { recursive: true });
  writeFileSync(join(dataDir, MASTER_KEY), pki.masterKey, { mode: 0o600 });
  client ??= new MongoClient(testMongoUri());
  await client
    .db(dbName)
    .collection(pki.collection)
    .insertOne({ ...pki.hierarchy });
}

async function capture(hub: Hub, dataDir: string): Promise<SharedPki | undefined> {
  const collection = Hierarchies(hub.ctx.db.conn).collection;
  const hierarchy = await collection.findOne({ key: 'hub', source: 'generated' });
  if (!hierarchy) return undefined;

  return {
    masterKey: readFileSync(join(dataDir, MASTER_KEY), 'utf8'),
    collection: collection.collectionName,
    hierarchy,
  };
}

export type TestHubOptions = { ownPki?: boolean };

/** A hub on a random port, in a database of its own, on the run's shared engine. */
export async function startTestHub(
  env: Record<string, string> = {},
  dbName?: string,
  { ownPki = false }: TestHubOptions = {},
): Promise<Hub> {
  const share = mayShare(env, dbName !== undefined, ownPki);
  const db = dbName ?? testDbName();
  // in the run's folder, which the global teardown removes: hubs are restarted on their data
  // folder, so a hub's close cannot remove it
  const dataDir = runTempDir('hub-');
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    MONGODB_URI: testMongoUri(),
    ...env,
  });
  if (share && shared) await seed(shared, dataDir, db);
  const hub = await startHub(config, { dbName: db });
  if (share) shared ??= await capture(hub, dataDir);

  return hub;
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

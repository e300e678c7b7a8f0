import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Hub } from '../../../server/src/hub.js';
import {
  Documents,
  readFileBytes,
  removeOrphanFiles,
} from '../../../server/src/modules/documents/index.js';
import { congVanForm, tinyPdf, type TestUser } from '../../support/factories.js';
import { freePort, waitFor } from '../../support/process.js';
import { EngineHub, secretsEnv, startWithClerk } from './engine-hub.js';

/**
 * DATA_DIR on a filesystem of its own, small enough to fill: a 600 MB tmpfs (the engine itself
 * wants 500 MB free to build indexes at start) mounted in a user
 * and mount namespace (`unshare --user --map-root-user --mount`), which needs no root — only
 * unprivileged user namespaces, as Debian and most CI runners allow. The hub and its engine run
 * inside; this process reaches the mount through /proc/<hub pid>/root.
 */
const TMPFS_MB = 600;

function fill(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }

  return written;
}

describe('faults: the disk of DATA_DIR full (a tmpfs in a user namespace)', function () {
  this.timeout(120_000);
  const secrets = secretsEnv();
  let dataDir: string;
  let hub: EngineHub;
  let observer: Hub | undefined;
  let clerk: TestUser;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lienthong-diskfull-'));
    hub = new EngineHub(await freePort(), dataDir, { ...secrets, LOG_LEVEL: 'warn' }, [
      'unshare',
      '--user',
      '--map-root-user',
      '--mount',
      'sh',
      '-c',
      `mount -t tmpfs -o size=${TMPFS_MB}m tmpfs "$0" && exec "$@"`,
      dataDir,
    ]);
    ({ observer, clerk } = await startWithClerk(hub, secrets, 'UBND tỉnh Bình Định'));
  });
  after(async () => {
    await observer?.close();
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function upload(key: string) {
    const pdf = await tinyPdf(key);
    const form = congVanForm(
      {
        issuePlace: 'Bình Định',
        issueDate: '2026-12-06',
        subject: `Đĩa đầy ${key}`,
        signerName: 'Phạm Văn Tỉnh',
      },
      pdf,
    );
    const res = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk.token}`, 'idempotency-key': key },
      body: form,
      signal: AbortSignal.timeout(10_000),
    });

    return { res, body: await res.text(), sha256: createHash('sha256').update(pdf).digest('hex') };
  }

  const count = (key: string) =>
    Documents(observer!.ctx.db.conn).countDocuments({ 'meta.subject': `Đĩa đầy ${key}` });

  it('refuses writes with 507 (or 503) while full, writes nothing half, recovers when space returns', async () => {
    const before = await upload('disk-before-full');
    expect(before.res.status, before.body).to.equal(201);

    const filled = fill(hub.path('filler'));
    const refused = await upload('disk-while-full');
    const problem = JSON.parse(refused.body) as { code: string; status: number };
    console.log(
      `      filled ${Math.round(filled / 1048576)} MB; upload while full: ${refused.res.status} ${problem.code}, Retry-After ${refused.res.headers.get('retry-after')}`,
    );
    expect([507, 503]).to.include(refused.res.status);
    expect(refused.res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(refused.res.headers.get('retry-after')).to.match(/^\d+$/);

    unlinkSync(hub.path('filler'));
    await waitFor(async () => ((await fetch(`${hub.url}/readyz`)).ok ? true : undefined), 60_000);
    const restarted = hub.logged('the local MongoDB engine is running again');
    // nothing of the refused upload was kept (a GridFS file without its version is an orphan)
    expect(await waitFor(async () => String(await count('disk-while-full')), 20_000)).to.equal('0');
    const orphans = await removeOrphanFiles(observer!.ctx, 0);

    const retried = await upload('disk-while-full');
    expect(retried.res.status, retried.body).to.equal(201);
    expect(await count('disk-while-full')).to.equal(1);
    for (const [key, sha] of [
      ['disk-before-full', before.sha256],
      ['disk-while-full', retried.sha256],
    ] as const) {
      const doc = await Documents(observer!.ctx.db.conn)
        .findOne({ 'meta.subject': `Đĩa đầy ${key}` })
        .lean();
      const bytes = await readFileBytes(observer!.ctx, doc!.versions[0]!.fileId);
      expect(createHash('sha256').update(bytes).digest('hex'), key).to.equal(sha);
    }
    console.log(`      engine restarts: ${restarted}; orphan files removed: ${orphans}`);
  });
});

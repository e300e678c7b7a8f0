/**
 * The web client, built once per test run into client/dist (what `npm start` serves), and only
 * when its inputs changed since the last build (scripts/client-build.mjs): on a fresh clone,
 * `npm ci` has already built it. A Vite build costs about a minute of CPU, and every client
 * test file used to make its own.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { CLIENT_DIST, ensureClientBuild } from '../../scripts/client-build.mjs';

export { CLIENT_DIST };

/**
 * Where the global setup says how the build it started ended: it builds while the first
 * (server) test files run, and each client test file waits here for it (test files run in
 * worker processes, so the news goes through a file named in their inherited environment).
 */
const BUILD_REPORT = 'TEST_CLIENT_BUILD_REPORT';

/** Starts the build (when the inputs changed); its end is written where `clientBuilt` looks. */
export function startClientBuild(reportFile: string): Promise<void> {
  process.env[BUILD_REPORT] = reportFile;

  return ensureClientBuild(() => import('vite')).then(
    () => writeFileSync(reportFile, JSON.stringify({ ok: true })),
    (e: unknown) => {
      writeFileSync(reportFile, JSON.stringify({ ok: false, error: String(e) }));
      throw e;
    },
  );
}

/** Resolves once client/dist is built for this run; throws the build's error if it failed. */
export async function clientBuilt(): Promise<void> {
  const reportFile = process.env[BUILD_REPORT];
  if (reportFile) {
    for (let waited = 0; !existsSync(reportFile); waited += 250) {
      if (waited > 300_000) throw new Error('the client build has not ended after 5 minutes');
      await sleep(250);
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { ok: boolean; error?: string };
    if (!report.ok) throw new Error(`the client build failed: ${report.error}`);
  }
  if (!existsSync(join(CLIENT_DIST, 'index.html')))
    throw new Error('client/dist is missing: the global setup (test/setup/hooks.ts) builds it');
}

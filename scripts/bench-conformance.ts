/**
 * Conformance corpus speed (issue #18: "every signed file answered within 3 s"): each signed PDF
 * of ../shared/conformance (42) and test/fixtures/conformance (5) validated in-process (cold
 * caches, as for a first-seen CA) and by a fresh `lienthong verify --offline` process (what a
 * user waits for), beside poppler's pdfsig on the same file. Rounds are interleaved file by file
 * so machine load hits all alike; the median of ROUNDS (default 3) is printed per file, then the
 * maximum of each column. Run: `npm run bench -- conformance`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { clearValidationCaches, validatePdf } from '../server/src/lib/validation/index.js';

/** The shared corpus and the files this repository adds to it (test/fixtures/conformance/NOTICE). */
const CORPORA = ['../shared/conformance', 'test/fixtures/conformance'];
const LIMIT_MS = 3000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function timed(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return performance.now() - t;
}

async function inProcess(bytes: Uint8Array): Promise<number> {
  clearValidationCaches();
  const t = performance.now();
  await validatePdf(bytes, { trustAnchors: [] }).catch(() => undefined);
  return performance.now() - t;
}

export async function benchConformance(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 3);
  const files = CORPORA.flatMap((dir) =>
    readFileSync(join(dir, 'expected.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => join(dir, 'signed', l.split('\t')[0] as string)),
  );
  const rows: { file: string; lib: number; cli: number; pdfsig: number }[] = [];
  console.log('file | in-process ms | lienthong verify ms | pdfsig ms');
  for (const path of files) {
    const file = path.split('/').pop() as string;
    const bytes = readFileSync(path);
    const lib: number[] = [];
    const cli: number[] = [];
    const peer: number[] = [];
    for (let i = 0; i < rounds; i++) {
      lib.push(await inProcess(bytes));
      cli.push(timed(process.execPath, ['bin/lienthong.mjs', 'verify', '--offline', path]));
      peer.push(timed('pdfsig', [path]));
    }
    const row = { file, lib: median(lib), cli: median(cli), pdfsig: median(peer) };
    rows.push(row);
    console.log(
      `${file} | ${row.lib.toFixed(0)} | ${row.cli.toFixed(0)} | ${row.pdfsig.toFixed(0)}`,
    );
  }
  const max = (k: 'lib' | 'cli' | 'pdfsig') =>
    rows.reduce((m, r) => (r[k] > m[k] ? r : m), rows[0]!);
  for (const [k, name] of [
    ['lib', 'in-process'],
    ['cli', 'lienthong verify'],
    ['pdfsig', 'pdfsig'],
  ] as const) {
    const m = max(k);
    console.log(`max ${name}: ${m[k].toFixed(0)} ms (${m.file})`);
  }
  const over = rows.filter((r) => r.lib > LIMIT_MS || r.cli > LIMIT_MS);
  console.log(
    `${files.length} files, ${rounds} rounds; over ${LIMIT_MS} ms: ${over.length ? over.map((r) => r.file).join(', ') : 'none'}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchConformance();

/**
 * The CLI as a user starts it: fresh processes of `node bin/lienthong.mjs` (the compiled build),
 * beside the floor and the peer of each measurement, interleaved round by round so that machine
 * load affects both sides alike:
 *   1. cold `lienthong --version`                     vs `node -e 0`            (≤ 4×)
 *   2. cold `lienthong verify --offline` of a signed   vs `pdfsig` on that file  (≤ 10×)
 *      one-page letter
 *   3. `lienthong verify` over 200 signed letters in   vs `pdfsig` over them in  (≥ 3× faster)
 *      one call                                           a loop
 * Each figure is the median of its rounds. The letters are signed one by one (RSA-2048, CRLs
 * embedded, no network), so no two files are the same bytes.
 * Run: `npm run bench -- cli` (ROUNDS, BATCH to tune).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addSignature, basePdf } from '../test/server/validation/fixtures.js';
import { nssTrusting } from '../test/support/openssl-pki.js';
import { createValidationPki, type ValidationPki } from '../test/support/validation-pki.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO, 'bin/lienthong.mjs');

type Run = { status: number | null; stdout: string; stderr: string };

function timed(cmd: string, args: string[]): { ms: number; run: Run } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;

  return { ms, run: { status: r.status, stdout: r.stdout, stderr: r.stderr } };
}

function expectStatus(what: string, run: Run, status: number): void {
  if (run.status !== status)
    throw new Error(`${what}: exit ${run.status}, expected ${status}\n${run.stdout}${run.stderr}`);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);

  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function signedLetter(pki: ValidationPki, base: Uint8Array): Promise<Uint8Array> {
  return addSignature(base, {
    signer: pki.signerRsa,
    chain: [pki.ca],
    revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
  });
}

/** pdfsig must find the signature valid and the chain trusted, or the comparison is void. */
function pdfsig(nss: string, file: string): number {
  const { ms, run } = timed('pdfsig', ['-nssdir', `sql:${nss}`, file]);
  if (!run.stdout.includes('Signature is Valid') || !run.stdout.includes('Certificate is Trusted'))
    throw new Error(`pdfsig did not validate ${file}: ${run.stdout}${run.stderr}`);

  return ms;
}

const ms = (v: number) => `${v.toFixed(0).padStart(6)} ms`;

function verdict(label: string, ok: boolean, detail: string): string {
  return `  ${ok ? 'PASS' : 'FAIL'} ${label}: ${detail}`;
}

export async function benchCli(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 9);
  const batch = Number(process.env.BATCH ?? 200);
  // the bench measures the build users run, made from the sources as they are now
  execFileSync(process.execPath, [join(REPO, 'scripts/build.mjs'), '--server'], {
    stdio: 'ignore',
  });
  const pki = createValidationPki();
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-cli-'));
  try {
    const base = (await basePdf()).bytes;
    const letter = join(dir, 'letter.pdf');
    writeFileSync(letter, await signedLetter(pki, base));
    const batchDir = join(dir, 'batch');
    mkdirSync(batchDir);
    const files: string[] = [];
    for (let i = 0; i < batch; i++) {
      const file = join(batchDir, `letter-${String(i).padStart(4, '0')}.pdf`);
      writeFileSync(file, await signedLetter(pki, base));
      files.push(file);
    }
    nssTrusting(dir, pki.root.certPath);
    const verifyArgs = ['--trust', pki.root.certPath, '--offline'];

    // warm the OS file cache for both sides before timing anything
    expectStatus('verify', timed(process.execPath, [BIN, 'verify', letter, ...verifyArgs]).run, 0);
    pdfsig(dir, letter);

    const t = { node: [] as number[], version: [] as number[], one: [] as number[] };
    const t2 = { pdfsigOne: [] as number[], batch: [] as number[], loop: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      t.node.push(timed(process.execPath, ['-e', '0']).ms);
      const v = timed(process.execPath, [BIN, '--version']);
      expectStatus('--version', v.run, 0);
      t.version.push(v.ms);
      const one = timed(process.execPath, [BIN, 'verify', letter, ...verifyArgs]);
      expectStatus('verify one file', one.run, 0);
      t.one.push(one.ms);
      t2.pdfsigOne.push(pdfsig(dir, letter));
    }
    const batchRounds = Math.max(1, Math.ceil(rounds / 3));
    for (let round = 0; round < batchRounds; round++) {
      const b = timed(process.execPath, [BIN, 'verify', batchDir, ...verifyArgs]);
      expectStatus('verify batch', b.run, 0);
      if (b.run.stdout.trim().split('\n').length !== batch + 1)
        throw new Error(`verify batch printed ${b.run.stdout.split('\n').length} lines`);
      t2.batch.push(b.ms);
      const l0 = performance.now();
      for (const file of files) pdfsig(dir, file);
      t2.loop.push(performance.now() - l0);
    }

    const node = median(t.node);
    const version = median(t.version);
    const one = median(t.one);
    const theirs = median(t2.pdfsigOne);
    const many = median(t2.batch);
    const loop = median(t2.loop);
    process.stdout.write(
      [
        `cli bench: ${cpus().length} cores, medians of ${rounds} rounds (batch: ${batchRounds}), compiled build`,
        `  node -e 0:                         ${ms(node)}`,
        `  lienthong --version:               ${ms(version)}   ${(version / node).toFixed(2)}× node -e 0`,
        `  pdfsig, one letter:                ${ms(theirs)}`,
        `  lienthong verify --offline, one:   ${ms(one)}   ${(one / theirs).toFixed(2)}× pdfsig`,
        `  pdfsig loop, ${batch} letters:          ${ms(loop)}   (${(loop / batch).toFixed(1)} ms/file)`,
        `  lienthong verify, ${batch} in one call: ${ms(many)}   (${(many / batch).toFixed(1)} ms/file) ${(loop / many).toFixed(2)}× faster than the loop`,
        'acceptance (issue #20):',
        verdict(
          'cold --version ≤ 4× node -e 0',
          version <= 4 * node,
          `${(version / node).toFixed(2)}×`,
        ),
        verdict(
          'cold one-file verify ≤ 10× pdfsig',
          one <= 10 * theirs,
          `${(one / theirs).toFixed(2)}×`,
        ),
        verdict(
          `${batch} files in one call ≥ 3× faster than a pdfsig loop`,
          loop >= 3 * many,
          `${(loop / many).toFixed(2)}×`,
        ),
        '',
      ].join('\n'),
    );
  } finally {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchCli();
}

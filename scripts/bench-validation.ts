/**
 * Validation throughput: in-process validations per second of a 1-page PDF with two signatures
 * (offline, revocation embedded), and per-file time beside poppler's pdfsig on the same file.
 * "warm" is the steady state of a hub (certificates and CRLs already seen are cached by their
 * DER hash); "cold" clears those caches before every validation, as for a first-seen CA.
 * The three measurements are interleaved round by round so that machine load affects them alike.
 * Run: `node --import tsx scripts/bench-validation.ts` (ROUNDS / PER_ROUND to tune).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { clearValidationCaches, validatePdf } from '../server/src/lib/validation/index.js';
import { nssTrusting } from '../test/support/openssl-pki.js';
import { createValidationPki, type ValidationPki } from '../test/support/validation-pki.js';
import { addSignature, basePdf } from '../test/server/validation/fixtures.js';

async function benchDocument(pki: ValidationPki): Promise<Uint8Array> {
  const revocation = { crls: [pki.caCrl, pki.rootCrl], ocsps: [] };
  const one = await addSignature((await basePdf()).bytes, {
    signer: pki.signerRsa,
    chain: [pki.ca],
    revocation,
  });
  return addSignature(one, { signer: pki.signerEc, chain: [pki.ca], revocation });
}

/** One pdfsig run; it must find both signatures valid and the chain trusted. */
function runPdfsig(dir: string, file: string): number {
  const t = performance.now();
  // No -no-ocsp: poppler 22.12 then misreports every chain; the test certificates have no
  // AIA/CRL URL, so pdfsig checks signatures and chain without any network access.
  const r = spawnSync('pdfsig', ['-nssdir', `sql:${dir}`, file], { encoding: 'utf8' });
  const elapsed = performance.now() - t;
  const count = (s: string): number => r.stdout.split(s).length - 1;
  if (count('Signature is Valid') !== 2 || count('Certificate is Trusted') !== 2)
    throw new Error(`pdfsig did not validate the file: ${r.stdout}${r.stderr}`);
  return elapsed;
}

export async function benchValidation(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 20);
  const perRound = Number(process.env.PER_ROUND ?? 10);
  const pki = createValidationPki();
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-val-'));
  try {
    const pdf = await benchDocument(pki);
    const file = join(dir, 'two-signatures.pdf');
    writeFileSync(file, pdf);
    nssTrusting(dir, pki.root.certPath);
    const options = { trustAnchors: [pki.root.certDer], online: false };
    const check = await validatePdf(pdf, options);
    if (!check.document.allValid) throw new Error('bench document does not validate');
    for (let i = 0; i < 10; i++) await validatePdf(pdf, options);
    runPdfsig(dir, file);

    const total = { warm: 0, cold: 0, pdfsig: 0 };
    for (let round = 0; round < rounds; round++) {
      total.pdfsig += runPdfsig(dir, file);
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) await validatePdf(pdf, options);
      total.warm += performance.now() - t0;
      for (let i = 0; i < perRound; i++) {
        clearValidationCaches();
        const c0 = performance.now();
        await validatePdf(pdf, options);
        total.cold += performance.now() - c0;
      }
    }
    const warm = total.warm / (rounds * perRound);
    const cold = total.cold / (rounds * perRound);
    const theirs = total.pdfsig / rounds;
    process.stdout.write(
      [
        `validation bench: ${pdf.length} bytes, 1 page, 2 signatures, offline, revocation embedded`,
        `  in-process validatePdf, warm: ${(1000 / warm).toFixed(1)} validations/s, ${warm.toFixed(2)} ms/file (${rounds * perRound} runs)`,
        `  in-process validatePdf, cold: ${(1000 / cold).toFixed(1)} validations/s, ${cold.toFixed(2)} ms/file (caches cleared each run)`,
        `  pdfsig (process spawn):       ${theirs.toFixed(2)} ms/file (${rounds} runs, interleaved)`,
        `  ratio pdfsig / ours, warm:    ${(theirs / warm).toFixed(2)}x`,
        `  ratio pdfsig / ours, cold:    ${(theirs / cold).toFixed(2)}x`,
        '',
      ].join('\n'),
    );
  } finally {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchValidation();
}

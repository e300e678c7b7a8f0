/**
 * Validation throughput: in-process validations per second of a 1-page PDF with two signatures
 * (offline, revocation embedded), and per-file time beside poppler's pdfsig on the same file.
 * "warm" is the steady state of a hub (certificates and CRLs already seen are cached by their
 * DER hash); "cold" clears those caches before every validation, as for a first-seen CA.
 * Run: `node --import tsx scripts/bench-validation.ts` (ITERATIONS / PDFSIG_RUNS to tune).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { clearValidationCaches, validatePdf } from '../server/src/validation/index.js';
import { createValidationPki } from '../test/support/validation-pki.js';
import { addSignature, basePdf } from '../test/server/validation/fixtures.js';

export async function benchValidation(): Promise<void> {
  const iterations = Number(process.env.ITERATIONS ?? 200);
  const pdfsigRuns = Number(process.env.PDFSIG_RUNS ?? 20);
  const pki = createValidationPki();
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-val-'));
  try {
    const revocation = { crls: [pki.caCrl, pki.rootCrl], ocsps: [] };
    const one = await addSignature((await basePdf()).bytes, {
      signer: pki.signerRsa,
      chain: [pki.ca],
      revocation,
    });
    const pdf = await addSignature(one, { signer: pki.signerEc, chain: [pki.ca], revocation });
    const file = join(dir, 'two-signatures.pdf');
    writeFileSync(file, pdf);
    const options = { trustAnchors: [pki.root.certDer], online: false };
    const check = await validatePdf(pdf, options);
    if (!check.document.allValid) throw new Error('bench document does not validate');

    for (let i = 0; i < 10; i++) await validatePdf(pdf, options);
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await validatePdf(pdf, options);
    const ours = (performance.now() - t0) / iterations;
    let coldTotal = 0;
    for (let i = 0; i < iterations; i++) {
      clearValidationCaches();
      const c0 = performance.now();
      await validatePdf(pdf, options);
      coldTotal += performance.now() - c0;
    }
    const cold = coldTotal / iterations;

    execFileSync('certutil', ['-N', '--empty-password', '-d', `sql:${dir}`]);
    execFileSync('certutil', [
      '-A',
      '-d',
      `sql:${dir}`,
      '-n',
      'root',
      '-t',
      'CT,C,C',
      '-i',
      pki.root.certPath,
    ]);
    const t1 = performance.now();
    for (let i = 0; i < pdfsigRuns; i++) {
      const r = spawnSync('pdfsig', ['-nssdir', `sql:${dir}`, '-no-ocsp', file], {
        encoding: 'utf8',
      });
      if (!r.stdout.includes('Signature is Valid'))
        throw new Error(`pdfsig did not validate the file: ${r.stdout}${r.stderr}`);
    }
    const theirs = (performance.now() - t1) / pdfsigRuns;

    process.stdout.write(
      [
        `validation bench: ${pdf.length} bytes, 1 page, 2 signatures, offline, revocation embedded`,
        `  in-process validatePdf, warm: ${(1000 / ours).toFixed(1)} validations/s, ${ours.toFixed(2)} ms/file (${iterations} runs)`,
        `  in-process validatePdf, cold: ${(1000 / cold).toFixed(1)} validations/s, ${cold.toFixed(2)} ms/file (caches cleared each run)`,
        `  pdfsig (process spawn):       ${theirs.toFixed(2)} ms/file (${pdfsigRuns} runs)`,
        `  ratio pdfsig / ours, warm:    ${(theirs / ours).toFixed(2)}x`,
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

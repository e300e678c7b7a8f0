/**
 * `npm run bench`: every benchmark of the project in one run, each printing its figures beside
 * its named peer (@signpdf and @libpdf/core for signing, pdfsig for validation). Pass names to
 * run a subset: `npm run bench -- signing validation`.
 */
import { benchCli } from './bench-cli.js';
import { benchConformance } from './bench-conformance.js';
import { benchExchange } from './bench-exchange.js';
import { benchPki } from './bench-pki.js';
import { benchSigning } from './bench-signing.js';
import { benchStats } from './bench-stats.js';
import { benchValidation } from './bench-validation.js';

const ALL: Record<string, () => Promise<void>> = {
  signing: benchSigning,
  validation: benchValidation,
  pki: benchPki,
  exchange: () => benchExchange(10),
  stats: benchStats,
  cli: benchCli,
  conformance: benchConformance,
};

const chosen = process.argv.slice(2).filter((a) => a in ALL);
for (const name of chosen.length ? chosen : Object.keys(ALL)) {
  console.log(`\n=== ${name} ===`);
  const t0 = performance.now();
  await ALL[name]!();
  console.log(`(${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
process.exit(0);

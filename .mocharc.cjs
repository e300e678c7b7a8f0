/**
 * mocha's settings. `npm test` names no file: the run is every test file, longest first.
 *
 * mocha --parallel hands files to its workers in the order of this list, each worker taking the
 * next file when it finishes one. Started last, a 3-minute file would be the only thing running
 * for its last minutes; started first, it runs beside the short ones. The order below is from a
 * measured run (docs/testing.md); files not named keep their place after it, alphabetically, and
 * a renamed or deleted file here fails the run rather than silently falling back.
 *
 * The three first are server files: while they run, the global setup builds the web client
 * (test/setup/client-build.ts), which every client file waits for.
 */
const { existsSync, readdirSync } = require('node:fs');
const { join, relative } = require('node:path');

const LONGEST_FIRST = [
  'test/server/validation/conformance.test.ts',
  'test/server/cli/long-term-pki.test.ts',
  'test/server/scale/crash.test.ts',
  'test/client/a11y.test.ts',
  'test/client/offices.test.ts',
  'test/client/admin.test.ts',
  'test/client/flow.test.ts',
  'test/client/workflow.test.ts',
  'test/server/seed/synthetic.test.ts',
  'test/client/actions.test.ts',
  'test/client/app.test.ts',
  'test/server/faults/engine-kill.test.ts',
  'test/server/modules/stats-counters.test.ts',
  'test/client/sign-placement.test.ts',
  'test/security/edge.test.ts',
  'test/server/modules/edxml.test.ts',
  'test/security/fuzz.test.ts',
  'test/server/modules/pki-endpoints.test.ts',
  'test/server/faults/engine-supervision.test.ts',
  'test/server/cli/serve.test.ts',
  'test/server/modules/stats.test.ts',
  'test/server/pki/hierarchy.test.ts',
  'test/server/cli/sign-placement.test.ts',
  'test/server/cli/edxml-cli.test.ts',
  'test/server/cli/seed.test.ts',
  'test/server/pades/placement.test.ts',
  'test/server/modules/signing.test.ts',
  'test/client/revalidation.test.ts',
  'test/server/faults/uri-outage.test.ts',
  'test/server/modules/authorization.test.ts',
  'test/server/modules/workflow.test.ts',
];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);

    return e.name.endsWith('.test.ts') ? [relative(__dirname, path)] : [];
  });
}

function longestFirst() {
  for (const f of LONGEST_FIRST)
    if (!existsSync(join(__dirname, f))) throw new Error(`.mocharc.cjs names ${f}, which is gone`);
  const rest = testFiles(join(__dirname, 'test'))
    .filter((f) => !LONGEST_FIRST.includes(f))
    .sort();

  return [...LONGEST_FIRST, ...rest];
}

/** A run that names its files or a glob (`npx mocha test/x.test.ts`) runs those alone. */
const named = process.argv.slice(2).some((a) => a.endsWith('.ts') || /[*?]/.test(a));

module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/setup/hooks.ts'],
  timeout: 60000,
  reporter: 'spec',
  exit: true,
  extension: ['ts'],
  recursive: true,
  parallel: true,
  jobs: 3,
  ...(named ? {} : { spec: longestFirst() }),
};

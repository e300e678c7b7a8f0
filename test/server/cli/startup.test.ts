import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from '../../support/process.js';

/** The modules `lienthong ARGS` loads (test/support/module-log.mjs), with their sizes. */
function loaded(args: string[]): {
  status: number | null;
  stdout: string;
  files: string[];
  bytes: number;
} {
  const dir = mkdtempSync(join(tmpdir(), 'lt-startup-'));
  try {
    const log = join(dir, 'modules.log');
    const r = spawnSync(
      process.execPath,
      ['--import', './test/support/module-log.mjs', 'bin/lienthong.mjs', ...args],
      { cwd: REPO, env: { ...process.env, MODULE_LOG: log }, encoding: 'utf8' },
    );
    const files = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter((u) => u.startsWith('file:'))
      .map((u) => fileURLToPath(u))
      .filter((f) => !f.endsWith('module-log.mjs'));

    return {
      status: r.status,
      stdout: r.stdout,
      files: files.map((f) => f.slice(REPO.length)),
      bytes: files.reduce((sum, f) => sum + statSync(f).size, 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CLI runs the compiled build made at installation, and loads per subcommand. */
describe('lienthong startup: compiled JavaScript, loaded per subcommand', () => {
  it('--version and --help run the compiled build and load nothing but the command table (no tsx, no TypeScript, no subcommand)', () => {
    for (const args of [['--version'], ['--help']]) {
      const r = loaded(args);
      expect(r.status).to.equal(0);
      expect(r.files).to.deep.equal(['bin/lienthong.mjs', 'build/src/cli/index.js']);
      expect(r.bytes).to.be.below(100_000);
    }
    expect(loaded(['--version']).stdout.trim()).to.equal('0.1.0');
  });

  it('`verify` loads its own bundle and nothing of the hub or the other commands', () => {
    const r = loaded(['verify', '--help']);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.include('<paths...>');
    expect(r.files).to.deep.equal([
      'bin/lienthong.mjs',
      'build/src/cli/index.js',
      'build/src/cli/verify.js',
    ]);
  });

  it('the top-level help still lists every subcommand', () => {
    const r = loaded(['--help']);
    for (const name of ['serve', 'seed', 'certs', 'sign', 'verify', 'edxml'])
      expect(r.stdout).to.match(new RegExp(`^  ${name}\\s`, 'm'));
  });
});

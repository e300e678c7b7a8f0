import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openssl, tempDir } from './helpers.js';

const CERTS_TS = pathToFileURL(resolve('server/src/cli/certs.ts')).href;

/** Run certsCommand().parseAsync in a child: the command exits the process on errors. */
function certs(args: string[]) {
  const script = `import { certsCommand } from ${JSON.stringify(CERTS_TS)};
await certsCommand().parseAsync(${JSON.stringify(args)}, { from: 'user' });`;
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );

  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('cli certs init', function () {
  const tmp = tempDir('cli');
  after(() => tmp.cleanup());

  it('creates a p256 hierarchy and prints the generated password once', function () {
    const dir = join(tmp.dir, 'p256');
    const res = certs([
      'init',
      '--dir',
      dir,
      '--algorithm',
      'p256',
      '--public-url',
      'https://hub.example.vn',
    ]);
    expect(res.status, res.stderr).to.equal(0);
    const password = /password \(shown once, store it now\): (\S+)/.exec(res.stdout)?.[1] ?? '';
    expect(password).to.have.length.greaterThan(16);
    expect(res.stdout.split(password)).to.have.length(2);
    expect(
      openssl(['pkcs12', '-in', join(dir, 'tsa.p12'), '-passin', `pass:${password}`, '-noout'])
        .status,
    ).to.equal(0);
    const text = openssl(['x509', '-in', join(dir, 'tsa.pem'), '-noout', '-text']).stdout;
    expect(text).to.include('ASN1 OID: prime256v1');
    expect(text).to.include('https://hub.example.vn/pki/ocsp');
  });

  it('does not print a password that was given', function () {
    const dir = join(tmp.dir, 'given');
    const res = certs(['init', '--dir', dir, '--password', 'given-password-1']);
    expect(res.status, res.stderr).to.equal(0);
    expect(res.stdout).not.to.include('given-password-1');
    expect(res.stdout).not.to.include('password');
    expect(existsSync(join(dir, 'demo-seal.p12'))).to.equal(true);
  });

  it('exits 2 with one line when files exist and --force is missing', function () {
    const dir = join(tmp.dir, 'given');
    const res = certs(['init', '--dir', dir, '--password', 'given-password-1']);
    expect(res.status).to.equal(2);
    expect(res.stderr.trim().split('\n')).to.have.length(1);
    expect(res.stderr).to.include('pass force');
    expect(
      certs(['init', '--dir', dir, '--password', 'given-password-1', '--force']).status,
    ).to.equal(0);
  });

  it('exits 2 on a bad algorithm, a short password or a bad URL', function () {
    const dir = join(tmp.dir, 'bad');
    for (const args of [
      ['--algorithm', 'dsa'],
      ['--password', 'short'],
      ['--public-url', 'ftp://x'],
    ]) {
      const res = certs(['init', '--dir', dir, ...args]);
      expect(res.status, args.join(' ')).to.equal(2);
      expect(res.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
    }
    expect(existsSync(join(dir, 'root-ca.pem'))).to.equal(false);
  });
});

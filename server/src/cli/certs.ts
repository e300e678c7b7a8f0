import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { ZEnv } from '../config/config.js';
import { LibraryError } from '../errors/library-error.js';
import { initHierarchy } from '../lib/pki/hierarchy.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../lib/pki/key-signer.js';

type InitOptions = {
  dir: string;
  algorithm: KeyAlgorithm;
  password?: string;
  force?: boolean;
  publicUrl: string;
};

function parseAlgorithm(value: string): KeyAlgorithm {
  if (!(KEY_ALGORITHMS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${KEY_ALGORITHMS.join(', ')}`);
  }

  return value as KeyAlgorithm;
}

/** Bad input: one line on stderr, exit code 2 (the CLI convention for LibraryError). */
function fail(message: string): never {
  process.stderr.write(`certs: ${message}\n`);
  process.exit(2);
}

async function runInit(options: InitOptions): Promise<void> {
  try {
    const result = await initHierarchy({
      dir: resolve(options.dir),
      algorithm: options.algorithm,
      password: options.password,
      force: options.force ?? false,
      publicUrl: options.publicUrl,
    });
    process.stdout.write(
      `Wrote ${result.files.length} files to ${resolve(options.dir)} (${options.algorithm}).\n`,
    );
    if (result.passwordGenerated) {
      process.stdout.write(`PKCS#12 password (shown once, store it now): ${result.password}\n`);
    }
  } catch (error) {
    if (error instanceof LibraryError) fail(error.message);
    throw error;
  }
}

/** Where `lienthong serve` listens with no HOST/PORT set: the URL its certificates must name. */
function defaultPublicUrl(): string {
  const defaults = ZEnv.parse({});

  return `http://${defaults.HOST}:${defaults.PORT}`;
}

/** `certs init …`: creates the dev/test PKI hierarchy (see docs/pki.md). */
export function certsCommand(): Command {
  const certs = new Command('certs').description('Manage the hub PKI (dev/test hierarchy)');
  certs
    .command('init')
    .description('Create Root CA → Issuing CA → TSA, OCSP, demo seal and demo signer certificates')
    .requiredOption('--dir <dir>', 'output folder')
    .option(
      '--algorithm <alg>',
      `key algorithm: ${KEY_ALGORITHMS.join(' | ')}`,
      parseAlgorithm,
      'rsa2048' as KeyAlgorithm,
    )
    .option('--password <pw>', 'PKCS#12 password (generated and printed when omitted)')
    .option('--force', 'overwrite existing files')
    .option(
      '--public-url <url>',
      "hub URL put in AIA / CRL distribution points (the hub's own default address)",
      defaultPublicUrl(),
    )
    .action(runInit);
  // Usage errors (unknown option, bad --algorithm) exit 2 with commander's one-line message.
  for (const command of [certs, ...certs.commands]) {
    command.exitOverride((error) => {
      if (error.exitCode === 0) process.exit(0);
      process.exit(2);
    });
  }

  return certs;
}

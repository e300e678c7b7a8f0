/**
 * `verify FILE|DIR... [--trust root.pem …] [--json] [--offline] [--lang vi|en]`
 * One file named alone: its full report, validated in this process. Anything more (several
 * paths, folders walked for *.pdf): a pool of worker threads, one summary line per file in the
 * order given, then a tally; a progress bar on stderr when it is a terminal. `--json` prints JSON
 * Lines, one report per file (the tally then goes to stderr). Exit 0 only when every file passes,
 * 1 when some failed or are indeterminate, 2 when some could not be read.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nationalTrustLists } from '../lib/pki/trust-lists.js';
import { formatReport, type Lang } from '../lib/validation/format.js';
import { expandInputs, isSingleFile } from './paths.js';
import { progress } from './progress.js';
import { verifyFile, type Outcome, type VerifySettings } from './verify-file.js';
import { verifyInPool } from './verify-pool.js';
import {
  emptyTally,
  exitCode,
  jsonLine,
  summaryLine,
  tallyLine,
  verdictOf,
} from './verify-report.js';

interface VerifyOptions {
  trust: string[];
  /** commander's --no-national-trust: false when given. */
  nationalTrust: boolean;
  json?: boolean;
  offline?: boolean;
  lang: Lang;
}

const CERT_FILE = /\.(pem|crt|cer|der)$/i;

/** In a folder, only files that hold a certificate count (CRLs, keys and CSRs sit there too). */
function looksLikeCertificate(bytes: Uint8Array): boolean {
  return (
    Buffer.from(bytes).toString('latin1').includes('-----BEGIN CERTIFICATE-----') ||
    bytes[0] === 0x30
  );
}

/** A --trust value is a certificate file or a folder of them. */
function readTrust(paths: string[]): Uint8Array[] {
  return paths.flatMap((p) => {
    if (!statSync(p).isDirectory()) return [new Uint8Array(readFileSync(p))];
    const files = readdirSync(p).filter((f) => CERT_FILE.test(f));
    return files.map((f) => new Uint8Array(readFileSync(join(p, f)))).filter(looksLikeCertificate);
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseLang(value: string): Lang {
  if (value !== 'vi' && value !== 'en') throw new InvalidArgumentError('use vi or en');
  return value;
}

/** One file: the full text report (or the JSON line), in this process — no worker to start. */
async function verifyOne(file: string, settings: VerifySettings, o: VerifyOptions) {
  const outcome = await verifyFile(file, settings);
  if ('error' in outcome) {
    process.stderr.write(`verify: ${file}: ${outcome.error.code}: ${outcome.error.message}\n`);
    if (o.json) process.stdout.write(jsonLine(file, outcome));
    return 2;
  }
  process.stdout.write(
    o.json ? jsonLine(file, outcome) : formatReport(outcome.report, o.lang, file),
  );
  return outcome.report.document.allValid ? 0 : 1;
}

/** Many files: summary lines (or JSON Lines) in input order as results arrive, then the tally. */
async function verifyMany(files: string[], settings: VerifySettings, o: VerifyOptions) {
  const tally = emptyTally();
  const bar = progress(files.length, 'verify');
  const done: (Outcome | undefined)[] = [];
  let printed = 0;
  await verifyInPool(files, settings, (index, outcome) => {
    done[index] = outcome;
    tally[verdictOf(outcome)]++;
    bar.step();
    for (; printed < files.length && done[printed]; printed++) {
      const file = files[printed]!;
      const ready = done[printed]!;
      bar.line(process.stdout, o.json ? jsonLine(file, ready) : summaryLine(file, ready, o.lang));
      done[printed] = undefined; // a report is printed once and then let go
    }
  });
  bar.done();
  (o.json ? process.stderr : process.stdout).write(tallyLine(tally, o.lang));
  return exitCode(tally);
}

async function runVerify(paths: string[], o: VerifyOptions): Promise<number> {
  let settings: VerifySettings;
  try {
    settings = {
      trustAnchors: readTrust(o.trust),
      // Vietnam's VGCA and NEAC roots (certs/) are trusted unless switched off
      trustLists: o.nationalTrust ? nationalTrustLists() : [],
      online: !o.offline,
    };
  } catch (e) {
    process.stderr.write(`verify: ${(e as Error).message}\n`);
    return 2;
  }
  if (isSingleFile(paths)) return verifyOne(paths[0]!, settings, o);
  const files = expandInputs(paths).map((i) => i.path);
  if (files.length === 0) {
    process.stderr.write(`verify: không tìm thấy tệp PDF nào trong ${paths.join(', ')}\n`);
    return 2;
  }

  return verifyMany(files, settings, o);
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      'Validate the PAdES signatures of PDF files (ETSI EN 319 102-1 style report); folders are searched for *.pdf recursively',
    )
    .argument('<paths...>', 'signed PDF files and/or folders of them')
    .option(
      '--trust <path>',
      'trusted root certificate (PEM/DER) or folder of them, trust list "extra"; repeatable',
      collect,
      [],
    )
    .option(
      '--no-national-trust',
      'do not trust the national lists shipped in certs/ (VGCA, Vietnam National Root CA)',
    )
    .option('--json', 'JSON Lines: the full report of each file, one per line')
    .option('--offline', 'do not fetch OCSP/CRL from the network')
    .addOption(
      new Option('--lang <lang>', 'language of the text report: vi | en')
        .default('vi')
        .argParser(parseLang),
    )
    .action(async (paths: string[], options: VerifyOptions) => {
      process.exitCode = await runVerify(paths, options);
    });
}

/**
 * `verify FILE.pdf [--trust root.pem …] [--json] [--offline] [--lang vi|en]`
 * Exit 0 only when every signature is TOTAL_PASSED, 1 otherwise, 2 for unusable input.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LibraryError } from '../errors/library-error.js';
import { formatReport, type Lang } from '../validation/format.js';
import { validatePdf } from '../validation/validate-pdf.js';

interface VerifyOptions {
  trust: string[];
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

async function runVerify(file: string, options: VerifyOptions): Promise<number> {
  let bytes: Uint8Array;
  let trustAnchors: Uint8Array[];
  try {
    bytes = new Uint8Array(readFileSync(file));
    trustAnchors = readTrust(options.trust);
  } catch (e) {
    process.stderr.write(`verify: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const report = await validatePdf(bytes, { trustAnchors, online: !options.offline });
    process.stdout.write(
      options.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : formatReport(report, options.lang, file),
    );
    return report.document.allValid ? 0 : 1;
  } catch (e) {
    if (!(e instanceof LibraryError)) throw e;
    process.stderr.write(`verify: ${e.code}: ${e.message}\n`);
    return 2;
  }
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('Validate the PAdES signatures of a PDF (ETSI EN 319 102-1 style report)')
    .argument('<file>', 'signed PDF file')
    .option(
      '--trust <path>',
      'trusted root certificate (PEM/DER) or folder of them; repeatable',
      collect,
      [],
    )
    .option('--json', 'print the full report as JSON')
    .option('--offline', 'do not fetch OCSP/CRL from the network')
    .addOption(
      new Option('--lang <lang>', 'language of the text report: vi | en')
        .default('vi')
        .argParser(parseLang),
    )
    .action(async (file: string, options: VerifyOptions) => {
      process.exitCode = await runVerify(file, options);
    });
}

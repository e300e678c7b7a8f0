/**
 * `lienthong sign`: PAdES-sign PDFs with a PKCS#12 key, one (`--in a.pdf --out b.pdf`) or many
 * (`lienthong sign a.pdf folder/ … --out-dir signed/`: folders walked for *.pdf, each output at
 * the same relative place under --out-dir). The key is opened once, with one password prompt
 * (no echo) when --password is omitted. Exit 0 when every file is signed, 2 otherwise.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { signerFromPkcs12 } from '../lib/cms/pkcs12.js';
import type { SignatureScheme } from '../lib/cms/index.js';
import type { CmsSigner } from '../lib/cms/signer.js';
import { LibraryError } from '../errors/library-error.js';
import { appearanceFactory, type AppearanceSpec } from '../lib/pades/appearance.js';
import type { PadesLevel } from '../lib/pades/options.js';
import { caIssuersFromAia, onlineRevocation } from '../lib/pades/revocation-fetch.js';
import { signPdfUpdate } from '../lib/pades/sign-pdf.js';
import { assertStrongKey } from '../lib/pki/key-strength.js';
import { askPassword } from './password.js';
import { expandInputs, type Input } from './paths.js';
import { progress } from './progress.js';

type SignOptions = {
  in?: string;
  out?: string;
  outDir?: string;
  p12: string;
  password?: string;
  level: PadesLevel;
  tsa?: string;
  visible?: string;
  image?: string;
  signatureImage?: string;
  notation?: string;
  reason?: string;
  location?: string;
  certify?: boolean;
  algorithm?: SignatureScheme;
};

/** `page,x,y,w,h` (page 1-based) → a box; anything else must be seal|signer|copy. */
function parseVisible(value: string): string {
  if (['seal', 'signer', 'copy'].includes(value) || /^\d+(,-?\d+(\.\d+)?){4}$/.test(value))
    return value;
  throw new InvalidArgumentError('expected seal, signer, copy or page,x,y,w,h');
}

async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new LibraryError(
      'INPUT_UNREADABLE',
      `Cannot read the ${what} file ${path}: ${(cause as Error).message}`,
    );
  }
}

/**
 * --visible: signer | seal placed as Decree 30 places them (pades/placement.ts), copy at the top
 * right of page 1, or `page,x,y,w,h` (page 1-based; points from the bottom left of the page as
 * displayed), checked by the same rules. Without --image the appearance is the "Ký bởi" text.
 */
async function appearanceFrom(o: SignOptions): Promise<AppearanceSpec | undefined> {
  if (!o.visible) return undefined;
  if (o.visible === 'copy') {
    if (!o.notation)
      throw new LibraryError('CLI_BAD_OPTIONS', '--visible copy needs --notation "123/UBND-VP".');
    return { kind: 'copy', numberNotation: o.notation };
  }
  const image = o.image ? await readInput(o.image, 'image') : undefined;
  const signatureImage = o.signatureImage
    ? await readInput(o.signatureImage, 'signature image')
    : undefined;
  if (o.visible === 'seal')
    return {
      kind: 'seal',
      ...(image ? { sealImage: image } : {}),
      ...(signatureImage ? { signatureImage } : {}),
    };
  if (o.visible === 'signer')
    return { kind: 'signer', ...(image ? { signatureImage: image } : {}) };
  const [page, x, y, w, h] = o.visible.split(',').map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (page < 1 || w <= 0 || h <= 0)
    throw new LibraryError('CLI_BAD_OPTIONS', '--visible page,x,y,w,h: page ≥ 1, w and h > 0.');
  return {
    kind: 'signer',
    ...(image ? { signatureImage: image } : {}),
    pageIndex: page - 1,
    box: [x, y, w, h],
  };
}

type Job = { input: string; output: string };

/** Everything a file needs that is the same for all files: read and checked once. */
type Prepared = { signer: CmsSigner; appearance: AppearanceSpec | undefined };

async function prepare(o: SignOptions): Promise<Prepared> {
  const password = o.password ?? (await askPassword('Mật khẩu PKCS#12: '));
  const signer = signerFromPkcs12(await readInput(o.p12, 'PKCS#12'), password, o.algorithm);
  // a user-supplied key: RSA-1024 or an odd curve is refused here as everywhere else
  assertStrongKey(new X509Certificate(signer.certificateChain[0]!).publicKey, 'PKCS#12 key');

  return { signer, appearance: await appearanceFrom(o) };
}

async function signOne(job: Job, p: Prepared, o: SignOptions): Promise<void> {
  const pdf = await readInput(job.input, 'input PDF');
  const update = await signPdfUpdate(pdf, {
    signer: p.signer,
    level: o.level,
    ...(o.tsa ? { tsaUrl: o.tsa } : {}),
    // long-term levels carry OCSP/CRL for both chains, fetched from the certificates' AIA/CDP
    ...(o.level === 'B-LT' || o.level === 'B-LTA'
      ? { revocation: onlineRevocation(), findIssuer: caIssuersFromAia() }
      : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.location ? { location: o.location } : {}),
    ...(o.certify ? { certify: true } : {}),
    ...(p.appearance ? { appearance: appearanceFactory(p.appearance) } : {}),
  });
  await mkdir(dirname(job.output), { recursive: true });
  await writeFile(job.output, [pdf, update]); // the input untouched, then the appended update
}

/** Where each input goes under --out-dir; refused up front if two collide or one overwrites its input. */
function plan(inputs: Input[], outDir: string): Job[] {
  const jobs = inputs.map(({ path, root }) => ({
    input: path,
    output: join(outDir, root ? relative(root, path) : basename(path)),
  }));
  const seen = new Map<string, string>();
  for (const job of jobs) {
    const out = resolve(job.output);
    if (out === resolve(job.input))
      throw new LibraryError(
        'CLI_BAD_OPTIONS',
        `--out-dir sẽ ghi đè lên tệp gốc ${job.input}; hãy chọn thư mục khác.`,
      );
    const other = seen.get(out);
    if (other)
      throw new LibraryError(
        'CLI_BAD_OPTIONS',
        `${other} và ${job.input} sẽ cùng được ghi vào ${job.output}.`,
      );
    seen.set(out, job.input);
  }

  return jobs;
}

/** `--in/--out` for one file, or inputs with `--out-dir`; anything else is a usage error. */
function jobsOf(inputs: string[], o: SignOptions): { jobs: Job[]; batch: boolean } {
  if (o.outDir) {
    if (o.out)
      throw new LibraryError('CLI_BAD_OPTIONS', 'Dùng --out hoặc --out-dir, không dùng cả hai.');
    const all = expandInputs([...(o.in ? [o.in] : []), ...inputs]);
    if (all.length === 0)
      throw new LibraryError(
        'CLI_BAD_OPTIONS',
        'Không có PDF nào để ký: hãy chỉ ra tệp hoặc thư mục chứa *.pdf.',
      );
    return { jobs: plan(all, o.outDir), batch: true };
  }
  if (!o.in || !o.out || inputs.length > 0)
    throw new LibraryError(
      'CLI_BAD_OPTIONS',
      'Ký một tệp: --in TỆP --out TỆP; ký nhiều tệp: TỆP/THƯ-MỤC… --out-dir THƯ-MỤC.',
    );

  return { jobs: [{ input: o.in, output: o.out }], batch: false };
}

/** Many files, a few at a time (signing waits on the disk and, from B-T on, on the TSA). */
async function signMany(jobs: Job[], p: Prepared, o: SignOptions): Promise<number> {
  const bar = progress(jobs.length, 'sign');
  let next = 0;
  let failed = 0;
  const worker = async () => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      try {
        await signOne(job, p, o);
        bar.line(process.stdout, `đã ký  ${job.input} → ${job.output}\n`);
      } catch (error) {
        if (!(error instanceof LibraryError)) throw error;
        failed++;
        bar.line(process.stderr, `sign: ${job.input}: ${error.code}: ${error.message}\n`);
      }
      bar.step();
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(availableParallelism() * 2, jobs.length) }, worker),
  );
  bar.done();
  process.stdout.write(
    `Đã ký ${jobs.length - failed}/${jobs.length} tệp vào ${o.outDir}${failed ? `; ${failed} tệp không ký được` : ''}.\n`,
  );

  return failed ? 2 : 0;
}

async function run(inputs: string[], o: SignOptions): Promise<number> {
  const { jobs, batch } = jobsOf(inputs, o);
  const prepared = await prepare(o);
  if (!batch) {
    await signOne(jobs[0]!, prepared, o);
    return 0;
  }

  return signMany(jobs, prepared, o);
}

export function signCommand(): Command {
  return new Command('sign')
    .description(
      'Sign PDFs (PAdES, incremental update) with a PKCS#12 key: --in/--out for one file, or files and folders with --out-dir',
    )
    .argument(
      '[inputs...]',
      'with --out-dir: PDF files and/or folders of them (searched for *.pdf)',
    )
    .option('--in <file>', 'PDF to sign')
    .option('--out <file>', 'where to write the signed PDF')
    .option('--out-dir <dir>', 'folder for the signed copies of many inputs (same file names)')
    .requiredOption('--p12 <file>', 'PKCS#12 (.p12/.pfx) holding the key and certificate chain')
    .option('--password <password>', 'PKCS#12 password (asked without echo when omitted)')
    .addOption(
      new Option('--level <level>', 'PAdES baseline level')
        .choices(['B-B', 'B-T', 'B-LT', 'B-LTA'])
        .default('B-B'),
    )
    .option('--tsa <url>', 'RFC 3161 time-stamp authority URL (needed from B-T on)')
    .option('--visible <kind>', 'seal | signer | copy | page,x,y,w,h', parseVisible)
    .option('--image <png>', 'signature or seal image (PNG) for a visible signature')
    .option(
      '--signature-image <png>',
      'with --visible seal: the leader signature the seal overlaps',
    )
    .option('--notation <text>', 'with --visible copy: number/notation, e.g. 123/UBND-VP')
    .option('--reason <text>', 'reason for signing')
    .option('--location <text>', 'place of signing')
    .option('--certify', 'certify the document (DocMDP P=2); first signature only')
    .addOption(
      new Option('--algorithm <alg>', 'signature algorithm').choices([
        'RSA-PKCS1',
        'RSA-PSS',
        'ECDSA',
      ]),
    )
    .action(async function (this: Command, inputs: string[], o: SignOptions) {
      try {
        process.exitCode = await run(inputs, o);
      } catch (error) {
        if (error instanceof LibraryError)
          this.error(`error: ${error.message} (${error.code})`, { exitCode: 2, code: error.code });
        throw error;
      }
    });
}

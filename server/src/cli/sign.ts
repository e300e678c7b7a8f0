import { Command, InvalidArgumentError, Option } from 'commander';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { signerFromPkcs12 } from '../cms/pkcs12.js';
import type { SignatureAlgorithm } from '../cms/oids.js';
import { LibraryError } from '../errors/library-error.js';
import { appearanceFactory, type AppearanceSpec } from '../pades/appearance.js';
import type { PadesLevel } from '../pades/options.js';
import { signPdfUpdate } from '../pades/sign-pdf.js';
import { assertStrongKey } from '../pki/key-strength.js';

type SignOptions = {
  in: string;
  out: string;
  p12: string;
  password: string;
  level: PadesLevel;
  tsa?: string;
  visible?: string;
  image?: string;
  signatureImage?: string;
  notation?: string;
  reason?: string;
  location?: string;
  certify?: boolean;
  algorithm?: SignatureAlgorithm;
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

async function appearanceFrom(o: SignOptions): Promise<AppearanceSpec | undefined> {
  if (!o.visible) return undefined;
  if (o.visible === 'copy') {
    if (!o.notation)
      throw new LibraryError('CLI_BAD_OPTIONS', '--visible copy needs --notation "123/UBND-VP".');
    return { kind: 'copy', numberNotation: o.notation };
  }
  if (!o.image)
    throw new LibraryError('CLI_BAD_OPTIONS', `--visible ${o.visible} needs --image file.png.`);
  const image = await readInput(o.image, 'image');
  const signatureImage = o.signatureImage
    ? await readInput(o.signatureImage, 'signature image')
    : undefined;
  if (o.visible === 'seal')
    return { kind: 'seal', sealImage: image, ...(signatureImage ? { signatureImage } : {}) };
  if (o.visible === 'signer') return { kind: 'signer', signatureImage: image };
  const [page, x, y, w, h] = o.visible.split(',').map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { kind: 'signer', signatureImage: image, pageIndex: page - 1, box: [x, y, w, h] };
}

async function run(o: SignOptions): Promise<void> {
  const pdf = await readInput(o.in, 'input PDF');
  const signer = signerFromPkcs12(await readInput(o.p12, 'PKCS#12'), o.password, o.algorithm);
  // a user-supplied key: RSA-1024 or an odd curve is refused here as everywhere else
  assertStrongKey(new X509Certificate(signer.certificateChain[0]!).publicKey, 'PKCS#12 key');
  const appearance = await appearanceFrom(o);
  const update = await signPdfUpdate(pdf, {
    signer,
    level: o.level,
    ...(o.tsa ? { tsaUrl: o.tsa } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.location ? { location: o.location } : {}),
    ...(o.certify ? { certify: true } : {}),
    ...(appearance ? { appearance: appearanceFactory(appearance) } : {}),
  });
  await writeFile(o.out, [pdf, update]); // the input untouched, then the appended update
}

/** `lienthong sign`: PAdES-sign a PDF with a PKCS#12 key. Exit 0 on success, 2 on unusable input. */
export function signCommand(): Command {
  return new Command('sign')
    .description('Sign a PDF (PAdES, incremental update) with a PKCS#12 key')
    .requiredOption('--in <file>', 'PDF to sign')
    .requiredOption('--out <file>', 'where to write the signed PDF')
    .requiredOption('--p12 <file>', 'PKCS#12 (.p12/.pfx) holding the key and certificate chain')
    .requiredOption('--password <password>', 'PKCS#12 password')
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
    .action(async function (this: Command, o: SignOptions) {
      try {
        await run(o);
      } catch (error) {
        if (error instanceof LibraryError)
          this.error(`error: ${error.message} (${error.code})`, { exitCode: 2, code: error.code });
        throw error;
      }
    });
}

/**
 * Signing throughput: LiênThông's signPdf vs @signpdf/signpdf and @libpdf/core on the same files,
 * PAdES B-B, RSA-2048, sequential, after warm-up. Also prints the floor (SHA-256 of the whole
 * file + one native RSA-2048 signature) and the peak RSS of each for the 10 MB file, measured in
 * a child process per library. Run: `npx tsx scripts/bench-signing.ts`.
 */
import { createHash, createPrivateKey, sign as nativeSign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CorpusName } from '../test/support/corpus.js';
import { P12_PASSWORD, testPki } from '../test/support/openssl-pki.js';

type Impl = { name: string; sign(pdf: Uint8Array): Promise<Uint8Array> };

const FILES: [string, CorpusName][] = [
  ['1-page letter', 'letter-gs'],
  ['60-page report', 'report-60-pages'],
  ['10 MB images', 'images-10mb'],
];
const TIME_BUDGET_MS = 3000;
const MAX_RUNS = 200;

/**
 * Each implementation imports its own modules when built, so that the peak-RSS child of one
 * library does not also carry the others' code (@libpdf/core alone is ~100 MB of RSS).
 */
const BUILDERS: Record<string, (p12: Uint8Array) => Promise<Impl['sign']>> = {
  lienthong: async (p12) => {
    const { signerFromPkcs12 } = await import('../server/src/lib/cms/pkcs12.js');
    const { signPdf } = await import('../server/src/lib/pades/sign-pdf.js');
    const ours = signerFromPkcs12(p12, P12_PASSWORD, 'RSA-PKCS1');
    return (pdf) => signPdf(pdf, { signer: ours });
  },
  // what the hub and the CLI do: keep the input as is and store/write the appended update after it
  'lienthong update': async (p12) => {
    const { signerFromPkcs12 } = await import('../server/src/lib/cms/pkcs12.js');
    const { signPdfUpdate } = await import('../server/src/lib/pades/sign-pdf.js');
    const ours = signerFromPkcs12(p12, P12_PASSWORD, 'RSA-PKCS1');
    return (pdf) => signPdfUpdate(pdf, { signer: ours });
  },
  '@signpdf': async (p12) => {
    const { PDFDocument } = await import('pdf-lib');
    const { pdflibAddPlaceholder } = await import('@signpdf/placeholder-pdf-lib');
    const { SignPdf } = await import('@signpdf/signpdf');
    const { P12Signer } = await import('@signpdf/signer-p12');
    return async (pdf) => {
      const pdfDoc = await PDFDocument.load(pdf);
      pdflibAddPlaceholder({ pdfDoc, reason: 'bench', contactInfo: '', name: '', location: '' });
      // a P12Signer consumes its forge buffer on first use (and re-parses the p12 in sign()), so one per call
      const signer = new P12Signer(Buffer.from(p12), { passphrase: P12_PASSWORD });
      return new SignPdf().sign(Buffer.from(await pdfDoc.save()), signer);
    };
  },
  '@libpdf/core': async (p12) => {
    const { PDF, P12Signer } = await import('@libpdf/core');
    const signer = await P12Signer.create(p12, P12_PASSWORD);
    return async (pdf) => (await (await PDF.load(pdf)).sign({ signer, level: 'B-B' })).bytes;
  },
};

async function implementations(p12: Uint8Array, only?: string): Promise<Impl[]> {
  const names = Object.keys(BUILDERS).filter((n) => !only || n === only);
  return Promise.all(names.map(async (name) => ({ name, sign: await BUILDERS[name]!(p12) })));
}

/** Signatures per second: warm-up, then sequential runs within a time budget. */
async function rate(fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const start = performance.now();
  let runs = 0;
  while (runs < MAX_RUNS && (runs < 3 || performance.now() - start < TIME_BUDGET_MS)) {
    await fn();
    runs++;
  }
  return (runs * 1000) / (performance.now() - start);
}

function floorFn(pdf: Uint8Array): () => void {
  const key = createPrivateKey(testPki().rsa.keyPem);
  return () => {
    const digest = createHash('sha256').update(pdf).digest();
    nativeSign('sha256', digest, key);
  };
}

/** Peak RSS of a fresh process that loads one implementation, reads the file once, signs 5 times. */
function peakRss(impl: string, path: string, p12Path: string): string {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', self, '--rss-child', impl, path, p12Path],
    { encoding: 'utf8' },
  );
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  return /^\d+$/.test(line)
    ? `${(Number(line) / 1024).toFixed(0)} MB`
    : `n/a (${r.stderr.trim().split('\n').at(-1)})`;
}

const fmt = (n: number): string => n.toFixed(n < 10 ? 2 : 1).padStart(8);

export async function benchSigning(): Promise<void> {
  // imported here, not at the top: the RSS child must not carry the corpus builder (~30 MB)
  const { corpus, corpusBytes } = await import('../test/support/corpus.js');
  const p12Path = testPki().rsa.p12Path;
  const impls = await implementations(readFileSync(p12Path));
  console.log('PAdES B-B, RSA-2048, sequential, signatures/second (higher is better)');
  for (const [label, name] of FILES) {
    const pdf = await corpusBytes(name);
    const rates: Record<string, number> = {};
    for (const impl of impls) rates[impl.name] = await rate(() => impl.sign(pdf));
    const floor = await rate(floorFn(pdf));
    const cells = impls.map((i) => `${i.name} ${fmt(rates[i.name]!)}`).join(' | ');
    console.log(
      `${label.padEnd(15)} (${(pdf.length / 1e6).toFixed(2)} MB): ${cells} | floor ${fmt(floor)}`,
    );
    for (const ours of impls.filter((i) => i.name.startsWith('lienthong'))) {
      const ratios = impls
        .filter((i) => !i.name.startsWith('lienthong'))
        .map((i) => `×${(rates[ours.name]! / rates[i.name]!).toFixed(1)} vs ${i.name}`)
        .join(', ');
      const slower = (floor / rates[ours.name]!).toFixed(2);
      console.log(`  ${ours.name}: ${ratios}, ${slower}× the floor's time`);
    }
  }
  const big = (await corpus()).find((e) => e.name === 'images-10mb')!;
  const size = readFileSync(big.path).length;
  const rss = impls.map((i) => `${i.name} ${peakRss(i.name, big.path, p12Path)}`).join(' | ');
  console.log(
    `peak RSS, 10 MB file, 5 signatures in a fresh process: ${rss} ` +
      `(target for lienthong: < 3 × ${(size / 2 ** 20).toFixed(1)} MB + 150 MB = ${(3 * (size / 2 ** 20) + 150).toFixed(0)} MB)`,
  );
}

/** Only the measured implementation's modules are loaded; the file is read once, without a copy. */
async function rssChild(implName: string, path: string, p12Path: string): Promise<void> {
  const [impl] = await implementations(readFileSync(p12Path), implName);
  if (!impl) throw new Error(`unknown implementation ${implName}`);
  const pdf = readFileSync(path);
  for (let i = 0; i < 5; i++) await impl.sign(pdf);
  console.log(process.resourceUsage().maxRSS);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [flag, impl, path, p12Path] = process.argv.slice(2);
  const job = flag === '--rss-child' ? rssChild(impl!, path!, p12Path!) : benchSigning();
  job.catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

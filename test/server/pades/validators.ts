/**
 * Independent checks of signed PDFs with real tools: poppler's pdfsig (NSS), openssl cms and
 * qpdf. Signatures are found with a plain byte scan, not with the code under test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RawSignature = {
  byteRange: [number, number, number, number];
  der: Buffer;
  signedData: Buffer;
};

function derLength(buf: Buffer): number {
  const first = buf[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i]!;
  return 2 + n + len;
}

export function rawSignatures(pdf: Uint8Array): RawSignature[] {
  const text = Buffer.from(pdf).toString('latin1');
  const out: RawSignature[] = [];
  for (const m of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const range = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    const hex = text.slice(range[1] + 1, range[2] - 1);
    const padded = Buffer.from(hex, 'hex');
    const der = padded.subarray(0, derLength(padded));
    const signedData = Buffer.concat([
      Buffer.from(pdf.subarray(range[0], range[0] + range[1])),
      Buffer.from(pdf.subarray(range[2], range[2] + range[3])),
    ]);
    out.push({ byteRange: range, der, signedData });
  }
  return out;
}

export function run(cmd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-check-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pdfsig(pdf: Uint8Array, nssDir: string): string {
  return withTempDir((dir) => {
    const file = join(dir, 'signed.pdf');
    writeFileSync(file, pdf);
    return run('pdfsig', ['-nssdir', `sql:${nssDir}`, file]).out;
  });
}

export function qpdfCheck(pdf: Uint8Array): { status: number; out: string } {
  return withTempDir((dir) => {
    const file = join(dir, 'signed.pdf');
    writeFileSync(file, pdf);
    return run('qpdf', ['--check', file]);
  });
}

export function opensslCmsVerify(sig: RawSignature, rootPath: string): string {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'sig.der'), sig.der);
    writeFileSync(join(dir, 'content.bin'), sig.signedData);
    return run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      join(dir, 'sig.der'),
      '-content',
      join(dir, 'content.bin'),
      '-CAfile',
      rootPath,
      '-purpose',
      'any',
      '-out',
      join(dir, 'out.bin'),
    ]).out;
  });
}

/** Per-signature blocks of pdfsig's report. */
export function pdfsigBlocks(report: string): string[] {
  return report.split(/^Signature #\d+:/m).slice(1);
}

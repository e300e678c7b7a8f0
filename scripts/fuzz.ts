/**
 * PDF fuzzing: mutated PDFs derived from the test corpus (Ghostscript, qpdf, LibreOffice files and
 * hub-signed ones) go through parse (loadPdf), sign (signPdf B-B) and validate (checkPdfLimits +
 * validatePdf, as the hub's validation service calls them), each case in a worker thread with a
 * time bound and a V8 heap cap. A case fails when it crashes (any error that is not a
 * LibraryError), hangs (time bound), or runs the worker out of memory; the whole run fails when the
 * process's peak RSS exceeds the bound.
 *
 *   npm run fuzz                 # = node --import tsx scripts/fuzz.ts (10,000 cases)
 *   node --import tsx scripts/fuzz.ts --cases 500 --seed 7 --raw-validate --findings /tmp/f
 *
 * `--raw-validate` calls validatePdf without the limit check first, to find weaknesses inside
 * server/src/lib/validation itself. Failing inputs are written to --findings for reproduction.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CorpusName } from '../test/support/corpus.js';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { constants, createDeflate, deflateSync } from 'node:zlib';

// ---------------------------------------------------------------- cases

export type Mutation =
  | 'bitflip'
  | 'bytes'
  | 'truncate'
  | 'xref'
  | 'splice'
  | 'deep-nesting'
  | 'huge-length'
  | 'cyclic-ref'
  | 'pages-cycle'
  | 'objstm-bomb'
  | 'flate-bomb';

export const MUTATIONS: Mutation[] = [
  'bitflip',
  'bytes',
  'truncate',
  'xref',
  'splice',
  'deep-nesting',
  'huge-length',
  'cyclic-ref',
  'pages-cycle',
  'objstm-bomb',
  'flate-bomb',
];

export type Seed = { name: string; bytes: Uint8Array };
export type FuzzCase = { id: number; seed: string; mutation: Mutation; bytes: Uint8Array };

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Highly compressible payloads, made once per process by streaming (never held whole). */
export type Bombs = { flate1: Buffer; flate2Inner: Buffer; flate2: Buffer };

async function deflateZeros(total: number): Promise<Buffer> {
  const z = createDeflate({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((ok) => z.on('end', ok));
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!z.write(chunk)) await new Promise((ok) => z.once('drain', ok));
  }
  z.end();
  await done;
  return Buffer.concat(out);
}

const BOMB_DIR = join(tmpdir(), 'lienthong-fuzz-bombs-v1');

/** Cached under os.tmpdir(): deflating 2 GB takes seconds. */
async function cachedZeros(total: number): Promise<Buffer> {
  const path = join(BOMB_DIR, `zeros-${total}.deflate`);
  if (existsSync(path)) return readFileSync(path);
  const made = await deflateZeros(total);
  mkdirSync(BOMB_DIR, { recursive: true });
  writeFileSync(`${path}.tmp`, made);
  renameSync(`${path}.tmp`, path);
  return made;
}

let bombs: Promise<Bombs> | undefined;
/** 256 MB of zeros in ~256 KB; 2 GB of zeros in two Flate layers of a few KB. */
export function makeBombs(): Promise<Bombs> {
  bombs ??= (async () => {
    const flate1 = await cachedZeros(256 * 1024 * 1024);
    const flate2Inner = await cachedZeros(2 * 1024 * 1024 * 1024);
    return { flate1, flate2Inner, flate2: deflateSync(flate2Inner, { level: 9 }) };
  })();
  return bombs;
}

type TailInfo = { prev: number; size: number; root: string };

/** What an appended update needs, read with regexes (a mutated file may not parse). */
function tailInfo(bytes: Uint8Array): TailInfo {
  const text = latin1(bytes);
  const at = text.lastIndexOf('startxref');
  const prev = Number(/startxref\s+(\d+)/.exec(text.slice(at))?.[1] ?? 0);
  const section = text.slice(prev, prev + 4096);
  const size = Number(/\/Size\s+(\d+)/.exec(section)?.[1] ?? 1000);
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(section)?.[1] ?? '1 0 R';
  return { prev, size, root };
}

/** Appends objects as an incremental update with a classic xref section. */
export function appendUpdate(
  bytes: Uint8Array,
  objects: { num: number; body: Buffer }[],
  root?: string,
): Uint8Array {
  const info = tailInfo(bytes);
  const parts: Buffer[] = [Buffer.from(bytes), bin('\n')];
  let offset = bytes.length + 1;
  let xref = 'xref\n';
  let size = info.size;
  for (const o of objects) {
    const chunk = Buffer.concat([bin(`${o.num} 0 obj\n`), o.body, bin('\nendobj\n')]);
    xref += `${o.num} 1\n${String(offset).padStart(10, '0')} 00000 n\r\n`;
    parts.push(chunk);
    offset += chunk.length;
    size = Math.max(size, o.num + 1);
  }
  xref += `trailer\n<< /Size ${size} /Root ${root ?? info.root} /Prev ${info.prev} >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(bin(xref));
  return new Uint8Array(Buffer.concat(parts));
}

function streamObj(dict: string, data: Buffer): Buffer {
  return Buffer.concat([
    bin(`<< ${dict} /Length ${data.length} >>\nstream\n`),
    data,
    bin('\nendstream'),
  ]);
}

const TOKENS = [
  '<<',
  '>>',
  '[',
  ']',
  ' obj ',
  ' endobj ',
  'stream\n',
  '\nendstream',
  ' 0 R ',
  '/Type /Pages ',
  '/Kids [',
  ' 99999999999999999999 ',
  ' -1 ',
  '/Length 0 ',
  '(',
  ')',
  '\\',
  'startxref\n0\n%%EOF\n',
  'xref\n0 1\n',
  'trailer << >>',
  '%',
];

type Mutator = (b: Uint8Array, r: Rand, bombs: Bombs) => Uint8Array;

const MUTATORS: Record<Mutation, Mutator> = {
  bitflip(b, r) {
    const out = Uint8Array.from(b);
    for (let i = 1 + int(r, 16); i > 0; i--) out[int(r, out.length)]! ^= 1 << int(r, 8);
    return out;
  },
  bytes(b, r) {
    const out = Uint8Array.from(b);
    const at = int(r, out.length);
    for (let i = 0; i < 1 + int(r, 64) && at + i < out.length; i++) out[at + i] = int(r, 256);
    return out;
  },
  truncate(b, r) {
    const cut = b.subarray(0, int(r, b.length));
    // half the time keep a plausible end so the parser goes past the first check
    return r() < 0.5 ? cut : new Uint8Array(Buffer.concat([cut, bin('\nstartxref\n9\n%%EOF\n')]));
  },
  xref(b, r) {
    const text = latin1(b);
    const choice = int(r, 4);
    if (choice === 0) {
      // startxref pointing somewhere else
      const at = text.lastIndexOf('startxref');
      const tail = `startxref\n${int(r, b.length * 2)}\n%%EOF\n`;
      return new Uint8Array(bin(text.slice(0, at < 0 ? text.length : at) + tail));
    }
    if (choice === 1) {
      // garbage in xref entries or /W of xref streams
      return new Uint8Array(
        bin(
          text
            .replace(/(\d{10}) (\d{5}) n/g, (m) =>
              r() < 0.3 ? `${int(r, 1e10)}`.padStart(10, '0') + ' 00000 n' : m,
            )
            .replace(/\/W\s*\[[^\]]*\]/g, () => `/W [${int(r, 9)} ${int(r, 40)} ${int(r, 9)}]`),
        ),
      );
    }
    if (choice === 2) {
      // /Prev loop: the section points at itself
      const prev = tailInfo(b).prev;
      return new Uint8Array(bin(text.replace(/\/Prev\s+\d+/g, `/Prev ${prev}`)));
    }
    // /Index and /Size lies
    return new Uint8Array(
      bin(
        text
          .replace(/\/Size\s+\d+/g, `/Size ${int(r, 2) ? 2147483647 : 0}`)
          .replace(/\/Index\s*\[[^\]]*\]/g, '/Index [0 999999999]'),
      ),
    );
  },
  splice(b, r) {
    const parts: Buffer[] = [];
    let last = 0;
    const cuts = [...Array(1 + int(r, 8))].map(() => int(r, b.length)).sort((x, y) => x - y);
    for (const c of cuts) {
      parts.push(Buffer.from(b.subarray(last, c)), bin(TOKENS[int(r, TOKENS.length)]!));
      last = c;
    }
    parts.push(Buffer.from(b.subarray(last)));
    return new Uint8Array(Buffer.concat(parts));
  },
  'deep-nesting'(b, r) {
    const depth = [200, 5000, 100_000][int(r, 3)]!;
    const open = ['[', '<< /A ', '[<< /K '][int(r, 3)]!;
    const close = open === '[' ? ']' : open === '<< /A ' ? '>>' : '>>]';
    const info = tailInfo(b);
    return appendUpdate(b, [
      { num: info.size, body: bin(open.repeat(depth) + close.repeat(depth)) },
    ]);
  },
  'huge-length'(b, r) {
    const big = ['999999999999', '4294967296', '2147483648', '-1'][int(r, 4)]!;
    const text = latin1(b);
    if (/\/Length\s+\d+/.test(text) && r() < 0.6) {
      let replaced = false;
      return new Uint8Array(
        bin(
          text.replace(/\/Length\s+\d+/g, (m) => {
            if (replaced || r() < 0.5) return m;
            replaced = true;
            return `/Length ${big}`;
          }),
        ),
      );
    }
    const info = tailInfo(b);
    return appendUpdate(b, [
      { num: info.size, body: bin(`<< /Length ${big} >>\nstream\nabc\nendstream`) },
    ]);
  },
  'cyclic-ref'(b, r) {
    const info = tailInfo(b);
    const n = info.size;
    if (r() < 0.5) {
      // the root itself: n 0 obj n 0 R endobj
      return appendUpdate(b, [{ num: n, body: bin(`${n} 0 R`) }], `${n} 0 R`);
    }
    // two objects pointing at each other, reached from a new catalog
    return appendUpdate(
      b,
      [
        { num: n, body: bin(`<< /Type /Catalog /Pages ${n + 1} 0 R /AcroForm ${n + 1} 0 R >>`) },
        { num: n + 1, body: bin(`${n + 2} 0 R`) },
        { num: n + 2, body: bin(`${n + 1} 0 R`) },
      ],
      `${n} 0 R`,
    );
  },
  'pages-cycle'(b, r) {
    const n = tailInfo(b).size;
    const kids = r() < 0.5 ? `[${n + 1} 0 R ${n + 1} 0 R]` : `[${n + 2} 0 R ${n + 1} 0 R]`;
    return appendUpdate(
      b,
      [
        { num: n, body: bin(`<< /Type /Catalog /Pages ${n + 1} 0 R >>`) },
        { num: n + 1, body: bin(`<< /Type /Pages /Kids ${kids} /Count 2 /Parent ${n + 1} 0 R >>`) },
        {
          num: n + 2,
          body: bin(
            `<< /Type /Pages /Kids [${n + 1} 0 R ${n + 2} 0 R] /Count 1 /Parent ${n + 1} 0 R >>`,
          ),
        },
      ],
      `${n} 0 R`,
    );
  },
  'objstm-bomb'(b, r, k) {
    const n = tailInfo(b).size;
    const choice = int(r, 3);
    let body: Buffer;
    if (choice === 0)
      body = streamObj(
        `/Type /ObjStm /N 4000000000 /First 4 /Filter /FlateDecode`,
        deflateSync(bin('1 0 ')),
      );
    else if (choice === 1)
      body = streamObj(`/Type /ObjStm /N 1 /First 10 /Filter /FlateDecode`, k.flate1);
    else
      body = streamObj(
        `/Type /ObjStm /N 1 /First 10 /Filter [/FlateDecode /FlateDecode]`,
        k.flate2,
      );
    return appendUpdate(b, [{ num: n, body }]);
  },
  'flate-bomb'(b, r, k) {
    const n = tailInfo(b).size;
    const body =
      r() < 0.5
        ? streamObj('/Filter /FlateDecode', k.flate1)
        : streamObj('/Filter [/FlateDecode /FlateDecode]', k.flate2);
    // referenced from a new catalog so a walker that decodes reachable streams meets it
    return appendUpdate(
      b,
      [
        { num: n, body },
        {
          num: n + 1,
          body: bin(
            `<< /Type /Catalog /Pages ${n + 2} 0 R /DSS << /Certs [${n} 0 R] /OCSPs [${n} 0 R] >> >>`,
          ),
        },
        { num: n + 2, body: bin(`<< /Type /Pages /Kids [] /Count 0 /Contents ${n} 0 R >>`) },
      ],
      `${n + 1} 0 R`,
    );
  },
};

/** Case `id` of a run: deterministic in (seedValue, id). */
export function makeCase(seeds: Seed[], seedValue: number, id: number, k: Bombs): FuzzCase {
  const r = rng(seedValue * 1_000_003 + id);
  const seed = seeds[int(r, seeds.length)]!;
  const mutation = MUTATIONS[int(r, MUTATIONS.length)]!;
  let bytes = MUTATORS[mutation](seed.bytes, r, k);
  // one in five: a second, random byte-level mutation on top
  if (r() < 0.2)
    bytes = MUTATORS[(['bitflip', 'splice', 'truncate'] as const)[int(r, 3)]!](bytes, r, k);
  return { id, seed: seed.name, mutation, bytes };
}

// ---------------------------------------------------------------- worker

export type Op = 'parse' | 'sign' | 'validate';
export type OpResult = {
  op: Op;
  outcome: 'ok' | 'refused' | 'crash';
  code?: string;
  detail?: string;
  ms: number;
};
export type CaseReport = {
  id: number;
  seed: string;
  mutation: Mutation;
  size: number;
  status: 'done' | 'hang' | 'oom' | 'worker-died';
  ops: OpResult[];
  ms: number;
  /** V8 heap used + array buffers of the worker right after the case. */
  memoryBytes?: number;
};

type WorkerInit = { keyPem: string; chain: Uint8Array[]; root: Uint8Array; rawValidate: boolean };
type Task = { id: number; bytes: Uint8Array };

async function workerMain(init: WorkerInit): Promise<void> {
  const { LibraryError } = await import('../server/src/errors/library-error.js');
  const { loadPdf, checkPdfLimits, imageAppearance } =
    await import('../server/src/lib/pdf/index.js');
  const { signPdf } = await import('../server/src/lib/pades/sign-pdf.js');
  const { keySigner } = await import('../server/src/lib/cms/signer.js');
  const { validatePdf } = await import('../server/src/lib/validation/index.js');
  const signer = keySigner(createPrivateKey(init.keyPem), init.chain);
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
  // pdf-lib reports unparsable objects on the console; thousands of cases would drown the output
  console.log = () => {};
  console.warn = () => {};
  const run = async (op: Op, fn: () => Promise<unknown>): Promise<OpResult> => {
    const t = performance.now();
    try {
      await fn();
      return { op, outcome: 'ok', ms: performance.now() - t };
    } catch (e) {
      const ms = performance.now() - t;
      if (e instanceof LibraryError) return { op, outcome: 'refused', code: e.code, ms };
      const err = e as Error;
      const where = err?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(e);
      return { op, outcome: 'crash', code: err?.name ?? typeof e, detail: where, ms };
    }
  };
  parentPort!.on('message', async (task: Task) => {
    const bytes = task.bytes;
    const ops: OpResult[] = [];
    ops.push(await run('parse', () => loadPdf(bytes)));
    const visible = task.id % 4 === 0;
    ops.push(
      await run('sign', () =>
        signPdf(bytes, {
          signer,
          signingTime: new Date('2026-01-05T02:00:00Z'),
          ...(visible
            ? { appearance: (file) => imageAppearance(file, { pageIndex: 1, signatureImage: png }) }
            : {}),
        }),
      ),
    );
    ops.push(
      await run('validate', async () => {
        if (!init.rawValidate) checkPdfLimits(bytes);
        await validatePdf(bytes, {
          trustAnchors: [init.root],
          now: new Date('2026-01-06T00:00:00Z'),
        });
      }),
    );
    const m = process.memoryUsage();
    parentPort!.postMessage({ id: task.id, ops, memoryBytes: m.heapUsed + m.arrayBuffers });
  });
  parentPort!.postMessage('ready');
}

if (!isMainThread && (workerData as { fuzzWorker?: boolean } | undefined)?.fuzzWorker) {
  void workerMain((workerData as { init: WorkerInit }).init);
}

// ---------------------------------------------------------------- pool

export type FuzzOptions = {
  cases: number;
  seed?: number;
  workers?: number;
  /** Per case (parse + sign + validate). */
  timeoutMs?: number;
  heapMb?: number;
  rawValidate?: boolean;
  findingsDir?: string;
  onProgress?: (done: number, total: number) => void;
};

export type FuzzSummary = {
  cases: number;
  failures: CaseReport[];
  byMutation: Record<string, Record<string, number>>;
  peakRssBytes: number;
  maxCaseMemoryBytes: number;
  slowest: { id: number; mutation: Mutation; seed: string; ms: number }[];
  elapsedMs: number;
};

type Slot = { worker: Worker; ready: Promise<void> };

function startWorker(init: WorkerInit, heapMb: number): Slot {
  // a worker's entry point is loaded before --import hooks apply: register tsx, then import
  const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(boot, {
    eval: true,
    workerData: { fuzzWorker: true, init },
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 64 },
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();
  const ready = new Promise<void>((ok, fail) => {
    const onMsg = (m: unknown): void => {
      if (m === 'ready') {
        worker.off('message', onMsg);
        ok();
      }
    };
    worker.on('message', onMsg);
    worker.once('error', fail);
  });
  return { worker, ready };
}

/** Sends one case; resolves with its report whatever happens to the worker. */
function runCase(slot: Slot, c: FuzzCase, timeoutMs: number): Promise<CaseReport> {
  const base = { id: c.id, seed: c.seed, mutation: c.mutation, size: c.bytes.length };
  const t = performance.now();
  return new Promise((resolve) => {
    const finish = (r: Omit<CaseReport, keyof typeof base | 'ms'>): void => {
      clearTimeout(timer);
      slot.worker.off('message', onMessage);
      slot.worker.off('error', onError);
      slot.worker.off('exit', onExit);
      resolve({ ...base, ...r, ms: performance.now() - t });
    };
    const onMessage = (m: { id: number; ops: OpResult[]; memoryBytes: number }): void => {
      if (m.id === c.id) finish({ status: 'done', ops: m.ops, memoryBytes: m.memoryBytes });
    };
    const onError = (e: Error & { code?: string }): void =>
      finish({
        status: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'worker-died',
        ops: [{ op: 'parse', outcome: 'crash', code: e.code ?? e.name, detail: e.message, ms: 0 }],
      });
    const onExit = (): void => finish({ status: 'worker-died', ops: [] });
    const timer = setTimeout(() => finish({ status: 'hang', ops: [] }), timeoutMs);
    slot.worker.on('message', onMessage);
    slot.worker.once('error', onError);
    slot.worker.once('exit', onExit);
    slot.worker.postMessage({ id: c.id, bytes: c.bytes });
  });
}

export function isFailure(r: CaseReport): boolean {
  return r.status !== 'done' || r.ops.some((o) => o.outcome === 'crash');
}

/** Runs `cases` mutated PDFs through parse, sign and validate on a pool of worker threads. */
export async function runFuzz(
  seeds: Seed[],
  init: WorkerInit,
  o: FuzzOptions,
): Promise<FuzzSummary> {
  const started = performance.now();
  const k = await makeBombs();
  const timeoutMs = o.timeoutMs ?? 15_000;
  const heapMb = o.heapMb ?? 512;
  const seedValue = o.seed ?? 1;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 25);
  const reports: CaseReport[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    let slot = startWorker({ ...init, rawValidate: o.rawValidate ?? false }, heapMb);
    await slot.ready;
    while (next < o.cases) {
      const c = makeCase(seeds, seedValue, next++, k);
      const report = await runCase(slot, c, timeoutMs);
      reports.push(report);
      o.onProgress?.(reports.length, o.cases);
      if (isFailure(report) && o.findingsDir) {
        mkdirSync(o.findingsDir, { recursive: true });
        writeFileSync(join(o.findingsDir, `case-${c.id}-${c.mutation}.pdf`), c.bytes);
      }
      if (report.status !== 'done') {
        await slot.worker.terminate();
        slot = startWorker({ ...init, rawValidate: o.rawValidate ?? false }, heapMb);
        await slot.ready;
      }
    }
    await slot.worker.terminate();
  };
  try {
    await Promise.all([...Array(o.workers ?? Math.min(4, cpus().length))].map(lane));
  } finally {
    clearInterval(sampler);
  }
  return summarize(reports, peakRss, performance.now() - started);
}

function summarize(reports: CaseReport[], peakRss: number, elapsedMs: number): FuzzSummary {
  const byMutation: Record<string, Record<string, number>> = {};
  for (const r of reports) {
    const row = (byMutation[r.mutation] ??= {});
    const keys =
      r.status === 'done' ? r.ops.map((op) => `${op.op}:${op.code ?? op.outcome}`) : [r.status];
    for (const key of keys) row[key] = (row[key] ?? 0) + 1;
  }
  return {
    cases: reports.length,
    failures: reports.filter(isFailure),
    byMutation,
    peakRssBytes: peakRss,
    maxCaseMemoryBytes: Math.max(0, ...reports.map((r) => r.memoryBytes ?? 0)),
    slowest: [...reports]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((r) => ({ id: r.id, mutation: r.mutation, seed: r.seed, ms: Math.round(r.ms) })),
    elapsedMs,
  };
}

// ---------------------------------------------------------------- seeds

/** Corpus files plus hub-signed ones (signed with the openssl test PKI's RSA key). */
export async function loadSeeds(
  opts: { large?: boolean } = {},
): Promise<{ seeds: Seed[]; init: Omit<WorkerInit, 'rawValidate'> }> {
  const { corpusBytes, corpus } = await import('../test/support/corpus.js');
  const { testPki } = await import('../test/support/openssl-pki.js');
  const { signPdf } = await import('../server/src/lib/pades/sign-pdf.js');
  const { keySigner } = await import('../server/src/lib/cms/signer.js');
  const pki = testPki();
  const available = new Set((await corpus()).map((e) => e.name));
  const names = [
    'letter-gs',
    'letter-objstm',
    'letter-linearized',
    'letter-classic-1.4',
    'letter-incremental',
    'letter-soffice',
    'report-60-pages',
    'encrypted-empty-user',
    ...(opts.large ? (['images-10mb'] as const) : []),
  ] satisfies CorpusName[];
  const seeds: Seed[] = [];
  for (const name of names)
    if (available.has(name)) seeds.push({ name, bytes: await corpusBytes(name) });
  const signer = keySigner(createPrivateKey(pki.rsa.keyPem), pki.rsa.chain);
  const when = new Date('2026-01-05T01:00:00Z');
  for (const name of ['letter-gs', 'letter-objstm', 'letter-classic-1.4'] as const) {
    const once = await signPdf(await corpusBytes(name), { signer, signingTime: when });
    seeds.push({ name: `${name}+signed`, bytes: once });
    if (name === 'letter-objstm')
      seeds.push({
        name: `${name}+signed-twice`,
        bytes: await signPdf(once, { signer, signingTime: when, fieldName: 'Sig2' }),
      });
  }
  return { seeds, init: { keyPem: pki.rsa.keyPem, chain: pki.rsa.chain, root: pki.rootDer } };
}

// ---------------------------------------------------------------- CLI

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const cases = Number(arg('cases') ?? 10_000);
  const { seeds, init } = await loadSeeds({ large: process.argv.includes('--large') });
  const findingsDir = arg('findings') ?? join(process.cwd(), 'fuzz-findings');
  console.log(
    `fuzz: ${cases} cases from ${seeds.length} seeds (${seeds.map((s) => s.name).join(', ')})`,
  );
  const summary = await runFuzz(
    seeds,
    { ...init, rawValidate: false },
    {
      cases,
      seed: Number(arg('seed') ?? 1),
      ...(arg('workers') ? { workers: Number(arg('workers')) } : {}),
      timeoutMs: Number(arg('timeout') ?? 15_000),
      heapMb: Number(arg('heap-mb') ?? 512),
      rawValidate: process.argv.includes('--raw-validate'),
      findingsDir,
      onProgress: (done, total) => {
        if (done % 500 === 0 || done === total) console.log(`  ${done}/${total}`);
      },
    },
  );
  const { failures, ...rest } = summary;
  console.log(JSON.stringify(rest, null, 2));
  for (const f of failures.slice(0, 50)) console.log('FAIL', JSON.stringify(f));
  console.log(
    `${failures.length} failing case(s)${failures.length ? `; inputs in ${findingsDir}` : ''}`,
  );
  process.exitCode = failures.length > 0 || summary.peakRssBytes > 3 * 1024 ** 3 ? 1 : 0;
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

import { Types } from 'mongoose';

/**
 * Seeded randomness for the synthetic history: the same seed gives the same data, ids included.
 * sfc32 (128-bit state, seeded through splitmix32) is fast and has no short cycles, which matters
 * when a run draws tens of millions of numbers.
 */
export type Rng = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [lo, hi] (inclusive). */
  between(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Log-normal with this median and log-space deviation. */
  logNormal(median: number, sigma: number): number;
};

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;

  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);

    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;

    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const normal = () => {
    // Box–Muller; 1 − u keeps the logarithm finite
    const u = 1 - next();

    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };

  return {
    next,
    int: (n) => Math.floor(next() * n),
    between: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}

/** A table of [value, weight] pairs drawn from by cumulative weight. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.values = entries.map((e) => e[0]);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => (this.cumulative[i] = sum += w));
  }

  get total(): number {
    return this.cumulative[this.cumulative.length - 1] ?? 0;
  }

  draw(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }

    return this.values[lo]!;
  }
}

/** Kinds of synthetic ids: one counter each, so ids never collide within a run. */
export const ID_KIND = {
  org: 1,
  document: 2,
  version: 3,
  file: 4,
  dispatch: 5,
  delivery: 6,
  person: 7,
} as const;

/**
 * Deterministic ObjectIds shaped like real ones: 4 bytes of the record's creation second (so id
 * order follows time, as in a live hub), 3 bytes of the seed, 1 byte of kind, 4 of a counter.
 */
export class IdMaker {
  private readonly counters = new Map<number, number>();
  private readonly seedHex: string;

  constructor(seed: number) {
    this.seedHex = (splitmix32(seed)() & 0xffffff).toString(16).padStart(6, '0');
  }

  make(kind: (typeof ID_KIND)[keyof typeof ID_KIND], at: number): Types.ObjectId {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const seconds = Math.max(0, Math.floor(at / 1000));

    return new Types.ObjectId(
      seconds.toString(16).padStart(8, '0') +
        this.seedHex +
        kind.toString(16).padStart(2, '0') +
        (n >>> 0).toString(16).padStart(8, '0'),
    );
  }
}

const HEX = '0123456789abcdef';

/** Random lower-case hex (a stand-in SHA-256 or certificate serial). */
export function randomHex(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += HEX[rng.int(16)];

  return s;
}

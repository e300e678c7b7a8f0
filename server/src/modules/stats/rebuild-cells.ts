import type { Document } from 'mongodb';
import { periodLabel, periodStart, VN_OFFSET_MS } from '../scope/index.js';
import { GRAIN_PREFIX, type Ancestry, type Bump } from './counter-cells.js';
import { HISTOGRAM_BUCKETS } from './latency-histogram.js';

/**
 * In-memory accumulation for rebuildCounters, sized for millions of deliveries. Additive facts are
 * summed per organization and Vietnam day into dense integer vectors (a field registry gives each
 * counter field a slot; latency histograms get their own lazily allocated vector), then rolled up
 * once: days into weeks and months, months into quarters, quarters into years, and every
 * organization's cells into its ancestors' — what spread() does fact by fact, ~15 merges each.
 * Distinct documents are not additive: they are counted per document from compact typed arrays,
 * grouped by a counting sort.
 */
const DAY_MS = 86_400_000;
const GRAINS = Object.keys(GRAIN_PREFIX) as (keyof typeof GRAIN_PREFIX)[];
/** Day numbers (days since 1970 in UTC+7) stay below 2^17 until the year 2328. */
const DAY_SPAN = 2 ** 17;
const LATENCY_SLOTS: Record<string, number> = { toArrived: 0, toAccepted: 1, toCompleted: 2 };
const HIST_SIZE = 3 * HISTOGRAM_BUCKETS;

function vnDay(at: Date): number {
  return Math.floor((at.getTime() + VN_OFFSET_MS) / DAY_MS);
}

/** The five counter keys (d, w, m, q, y) of a Vietnam day, computed once per day. */
class PeriodKeys {
  private readonly cache = new Map<number, string[]>();

  of(day: number): string[] {
    let keys = this.cache.get(day);
    if (!keys) {
      const at = new Date(day * DAY_MS - VN_OFFSET_MS);
      keys = GRAINS.map((g) => `${GRAIN_PREFIX[g]}:${periodLabel(periodStart(at, g), g)}`);
      this.cache.set(day, keys);
    }

    return keys;
  }
}

/** Small integers for strings (organizations, counter fields), so typed arrays can hold them. */
export class Interned {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  of(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }

    return i;
  }
}

/** One counter cell: scalar fields by slot, and the three latency histograms (if any). */
type Vec = { s: Int32Array<ArrayBuffer>; h: Int32Array<ArrayBuffer> | null };

/**
 * Vectors are carved out of large slabs: hundreds of thousands of small typed arrays, each with
 * its own buffer, cost more in allocation and garbage collection than the sums themselves.
 */
class Slab {
  private buf = new Int32Array(0);
  private used = 0;

  constructor(private readonly chunk: number) {}

  take(size: number): Int32Array<ArrayBuffer> {
    if (this.used + size > this.buf.length) {
      this.buf = new Int32Array(Math.max(this.chunk, size));
      this.used = 0;
    }
    const out = this.buf.subarray(this.used, this.used + size);
    this.used += size;

    return out;
  }
}

/** Field slots: `h.<latency>.<k>` go to the histogram vector, everything else to scalars. */
class FieldSlots {
  readonly scalars = new Interned();
  private readonly codes = new Map<string, number>();
  private readonly paths: string[][] = [];
  private readonly slab = new Slab(1 << 20);
  capacity = 64;

  /** ≥ 0: scalar slot; < 0: −1 − histogram slot. */
  code(field: string): number {
    let c = this.codes.get(field);
    if (c === undefined) {
      const m = /^h\.(\w+)\.(\d+)$/.exec(field);
      const lat = m ? LATENCY_SLOTS[m[1]!] : undefined;
      if (lat !== undefined) c = -1 - (lat * HISTOGRAM_BUCKETS + Number(m![2]));
      else {
        c = this.scalars.of(field);
        this.paths[c] = field.split('.');
      }
      while (c >= this.capacity) this.capacity *= 2;
      this.codes.set(field, c);
    }

    return c;
  }

  vec(): Vec {
    return { s: this.slab.take(this.capacity), h: null };
  }

  hist(): Int32Array<ArrayBuffer> {
    return this.slab.take(HIST_SIZE);
  }

  copy(v: Vec): Vec {
    const s = this.slab.take(Math.max(v.s.length, this.capacity));
    s.set(v.s);
    let h: Int32Array<ArrayBuffer> | null = null;
    if (v.h) (h = this.hist()).set(v.h);

    return { s, h };
  }

  add(into: Vec, field: string, v: number): void {
    const c = this.code(field);
    if (c >= 0) {
      if (c >= into.s.length) into.s = grown(into.s, this.capacity);
      into.s[c]! += v;
    } else {
      into.h ??= this.hist();
      into.h[-1 - c]! += v;
    }
  }

  addVec(into: Vec, from: Vec): void {
    if (from.s.length > into.s.length) into.s = grown(into.s, from.s.length);
    const s = into.s;
    const f = from.s;
    for (let i = 0; i < f.length; i++) s[i]! += f[i]!;
    if (from.h) {
      into.h ??= this.hist();
      const h = into.h;
      const g = from.h;
      for (let i = 0; i < HIST_SIZE; i++) h[i]! += g[i]!;
    }
  }

  /** The counter document of a cell: nested maps, zero fields left out. */
  toDocument(id: string, v: Vec): Document {
    const doc: Document = { _id: id };
    for (let i = 0; i < v.s.length; i++) {
      if (v.s[i] === 0) continue;
      const path = this.paths[i]!;
      let at = doc;
      for (let p = 0; p < path.length - 1; p++) at = (at[path[p]!] ??= {}) as Document;
      at[path[path.length - 1]!] = v.s[i];
    }
    if (v.h) {
      const h: Document = {};
      for (let i = 0; i < HIST_SIZE; i++) {
        if (v.h[i] === 0) continue;
        const lat = LATENCIES[Math.floor(i / HISTOGRAM_BUCKETS)]!;
        ((h[lat] ??= {}) as Document)[String(i % HISTOGRAM_BUCKETS)] = v.h[i];
      }
      if (Object.keys(h).length) doc.h = h;
    }

    return doc;
  }
}
const LATENCIES = Object.keys(LATENCY_SLOTS);

function grown(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);

  return b;
}

/** Counter cells: `<orgId>|<grain>:<period>` → vector; `documents()` gives what to insert. */
export class CounterCells {
  constructor(
    readonly cells: Map<string, Vec>,
    private readonly fields: FieldSlots,
  ) {}

  get size(): number {
    return this.cells.size;
  }

  add(id: string, field: string, v: number): void {
    let cell = this.cells.get(id);
    if (!cell) this.cells.set(id, (cell = this.fields.vec()));
    this.fields.add(cell, field, v);
  }

  *documents(): Generator<Document> {
    for (const [id, v] of this.cells) yield this.fields.toDocument(id, v);
  }
}

/** Additive facts per (organization, day), rolled up at the end. */
export class DayCells {
  private readonly cells = new Map<number, Vec>();
  private readonly fields = new FieldSlots();

  constructor(private readonly orgs: Interned) {}

  add(bumps: Bump[]): void {
    for (const b of bumps) {
      const key = this.orgs.of(b.orgId) * DAY_SPAN + vnDay(b.at);
      let cell = this.cells.get(key);
      if (!cell) this.cells.set(key, (cell = this.fields.vec()));
      for (const k in b.inc) {
        const v = b.inc[k]!;
        if (v !== 0) this.fields.add(cell, k, v);
      }
    }
  }

  /**
   * Each organization's days summed into its weeks and months, months into quarters, quarters
   * into years; then each organization's own cells added to its own and every ancestor's.
   */
  rollUp(ancestry: Ancestry): CounterCells {
    const periods = new PeriodKeys();
    const own = new Map<number, Map<string, Vec>>();
    const into = (cells: Map<string, Vec>, key: string, v: Vec) => {
      const cell = cells.get(key);
      if (cell) this.fields.addVec(cell, v);
      else cells.set(key, this.fields.copy(v));
    };
    for (const [key, v] of this.cells) {
      const org = Math.floor(key / DAY_SPAN);
      let cells = own.get(org);
      if (!cells) own.set(org, (cells = new Map()));
      const [d, w, m] = periods.of(key % DAY_SPAN) as [string, string, string];
      cells.set(d, v);
      into(cells, w, v);
      into(cells, m, v);
    }
    // quarters from months and years from quarters (a month key names its quarter and year)
    for (const cells of own.values()) {
      for (const [k, v] of [...cells].filter(([key]) => key.startsWith('m:')))
        into(cells, `q:${k.slice(2, 6)}-Q${Math.ceil(Number(k.slice(7, 9)) / 3)}`, v);
      for (const [k, v] of [...cells].filter(([key]) => key.startsWith('q:')))
        into(cells, `y:${k.slice(2, 6)}`, v);
    }
    const out = new Map<string, Vec>();
    for (const [org, cells] of own) {
      const id = this.orgs.names[org]!;
      for (const root of ancestry.get(id) ?? [id])
        for (const [k, v] of cells) into(out, `${root}|${k}`, v);
    }

    return new CounterCells(out, this.fields);
  }
}

/**
 * Distinct documents per counter cell: a document counts once in every cell (organization's
 * subtree × period) any of its deliveries falls in, for its senders (`sentDocs`) and recipients
 * (`recvDocs`). Deliveries are recorded as four integers; `countInto` groups them by document.
 */
export class DistinctDocuments {
  private docs: Int32Array<ArrayBuffer> = new Int32Array(1 << 16);
  private days: Int32Array<ArrayBuffer> = new Int32Array(1 << 16);
  private senders: Int32Array<ArrayBuffer> = new Int32Array(1 << 16);
  private recipients: Int32Array<ArrayBuffer> = new Int32Array(1 << 16);
  private n = 0;
  private readonly docIndex = new Interned();

  constructor(private readonly orgs: Interned) {}

  add(documentId: string, createdAt: Date, senderOrgId: string, recipientOrgId: string): void {
    if (this.n === this.docs.length) {
      const size = this.n * 2;
      this.docs = grown(this.docs, size);
      this.days = grown(this.days, size);
      this.senders = grown(this.senders, size);
      this.recipients = grown(this.recipients, size);
    }
    this.docs[this.n] = this.docIndex.of(documentId);
    this.days[this.n] = vnDay(createdAt);
    this.senders[this.n] = this.orgs.of(senderOrgId);
    this.recipients[this.n] = this.orgs.of(recipientOrgId);
    this.n++;
  }

  /** Deliveries grouped by document (counting sort): offsets and the order of their indices. */
  private byDocument(): { start: Int32Array; order: Int32Array } {
    const nDocs = this.docIndex.names.length;
    const start = new Int32Array(nDocs + 1);
    for (let i = 0; i < this.n; i++) start[this.docs[i]! + 1]!++;
    for (let d = 0; d < nDocs; d++) start[d + 1]! += start[d]!;
    const order = new Int32Array(this.n);
    const next = start.slice(0, nDocs);
    for (let i = 0; i < this.n; i++) order[next[this.docs[i]!]!++] = i;

    return { start, order };
  }

  /** Adds `sentDocs` / `recvDocs` to the counter cells. */
  countInto(cells: CounterCells, ancestry: Ancestry): void {
    const periods = new PeriodKeys();
    const orgCount = this.orgs.names.length;
    const roots: number[][] = [];
    for (let o = 0; o < orgCount; o++) {
      const id = this.orgs.names[o]!;
      roots.push((ancestry.get(id) ?? [id]).map((r) => this.orgs.of(r)));
    }
    const { start, order } = this.byDocument();
    const credits = new Map<string, number>();
    const seenDays = new Set<number>();
    const seenCells = new Set<string>();
    for (let d = 0; d + 1 < start.length; d++) {
      seenDays.clear();
      seenCells.clear();
      for (let j = start[d]!; j < start[d + 1]!; j++) {
        const i = order[j]!;
        const day = this.days[i]!;
        for (let field = 0; field < 2; field++)
          for (const root of roots[field === 0 ? this.senders[i]! : this.recipients[i]!]!) {
            // the same (field, subtree, day) repeats for every recipient of a broadcast
            const dayKey = (root * 2 + field) * DAY_SPAN + day;
            if (seenDays.has(dayKey)) continue;
            seenDays.add(dayKey);
            for (const k of periods.of(day)) {
              const cell = `${field}${this.orgs.names[root]!}|${k}`;
              if (seenCells.has(cell)) continue;
              seenCells.add(cell);
              credits.set(cell, (credits.get(cell) ?? 0) + 1);
            }
          }
      }
    }
    for (const [cell, n] of credits)
      cells.add(cell.slice(1), cell[0] === '0' ? 'sentDocs' : 'recvDocs', n);
  }
}

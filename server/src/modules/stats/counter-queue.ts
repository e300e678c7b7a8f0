import type { Document } from 'mongodb';
import type { HubContext } from '../../context.js';
import type { DispatchDoc } from '../exchange/index.js';
import { addCell, isDayCell, writeCells, type Cells } from './counter-cells.js';
import { countTransitions, countedOf, type Transition } from './counters.js';
import { recordExceptions } from './item-bounds.js';
import { countOutgoing, type OutgoingDocument } from './outgoing-counters.js';

type Outgoing = { dispatch: DispatchDoc; doc: OutgoingDocument };

/** Past this many queued transitions, callers wait for the flush (backpressure, bounded memory). */
const MAX_QUEUED = 20_000;
/**
 * Transitions are counted (markers claimed, cells merged in memory) at most this long after they
 * arrive, a small step at a time, so the work is spread evenly rather than coming in bursts.
 */
const COUNT_MS = 100;
/**
 * A day cell is written this long after the first increment merged into it, gathering what
 * arrives meanwhile: at 1,000 deliveries/s a recipient's cell is written once for several.
 */
const WINDOW_MS = 2_000;
/**
 * Week, month, quarter and year cells wait longer: a recipient has one cell per grain, so these
 * merge many more deliveries than the day cells.
 */
const COARSE_MS = 10_000;
/**
 * Counter upserts per bulk, at most two bulks a pass (unless a reader waits): the cells that fall
 * due together are written over several passes instead of in one burst. Past due, a cell keeps
 * merging, so the writes per delivery only fall if the engine lags.
 */
const CELLS_PER_STEP = 50;
const CELLS_PER_PASS = 2 * CELLS_PER_STEP;
const PAUSE_MS = 10;
/** Transitions counted per step. */
const SLICE = 100;

/**
 * Counters are derived data, so the exchange hands its transitions here and answers without
 * waiting for them. One pass runs at a time per hub: it counts what was queued (in slices, each
 * claiming its markers) into cells held in memory, where the increments of a cell hit by many
 * deliveries merge — the heavier the load, the fewer writes per delivery (each counter upsert
 * costs the engine about as much as storing a delivery) — and writes the cells that are due. Its
 * steps have pauses between them, so notifications are not held behind it, unless a reader is
 * waiting. Stats reads flush at once, so a node reads its own writes. A crash loses what was
 * queued or merged and not yet written, like a crash between a transition and its counters
 * always could (`POST /api/v1/stats/rebuild`).
 */
export class CounterQueue {
  private transitions: Transition[] = [];
  private outgoing: Outgoing[] = [];
  /** Increments merged and not yet written, and each cell's due time. */
  private cells: Cells = new Map();
  private due = new Map<string, number>();
  /** Exceptions counted by the running pass (it writes them before it ends). */
  private exceptions: Document[] = [];
  /** A reader is waiting: write every cell now. */
  private forced = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastStart = 0;
  /** When the current step of a flush began. */
  private stepStart = 0;
  /** Batches handed in, and how many of the first of them are written (flushes wait on these). */
  private added = 0;
  private written = 0;

  constructor(private readonly ctx: HubContext) {}

  add(transitions: Transition[], outgoing: Outgoing[]): Promise<void> {
    if (transitions.length === 0 && outgoing.length === 0) return Promise.resolve();
    for (const t of transitions) this.transitions.push({ ...t, delivery: countedOf(t.delivery) });
    this.outgoing.push(...outgoing);
    this.added++;
    if (this.transitions.length > MAX_QUEUED) return this.flush();
    this.schedule();

    return Promise.resolve();
  }

  /** Resolves once everything queued before the call is written (later arrivals do not hold it). */
  async flush(): Promise<void> {
    const target = this.added;
    // a write that fails still counts as done (logged; a rebuild realigns), so these end
    while (this.written < target) await this.forcedWrite();
    // a pass already running when we came may not have written the cells: at most two more
    for (let i = 0; i < 2 && this.cells.size > 0; i++) await this.forcedWrite();
  }

  private async forcedWrite(): Promise<void> {
    this.forced = true;
    this.start();
    if (this.running) await this.running;
    // nothing queued and nothing writing: all that was handed in is written
    else this.written = this.added;
  }

  /** When the next pass has work: at once for a reader, else counting or the first cell due. */
  private next(): number | null {
    if (this.forced) return 0;
    let next =
      this.transitions.length + this.outgoing.length > 0 ? this.lastStart + COUNT_MS : null;
    for (const at of this.due.values()) if (next === null || at < next) next = at;

    return next;
  }

  private queued(): boolean {
    const next = this.next();

    return next !== null && next <= Date.now();
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    const next = this.next();
    if (next === null) return;
    this.timer = setTimeout(() => this.start(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) return;
    if (!this.queued()) return this.schedule();
    this.lastStart = Date.now();
    const upTo = this.added;
    this.running = this.write().finally(() => {
      this.written = upTo;
      this.running = null;
      this.schedule();
    });
  }

  /**
   * A pause between two steps of a pass as long as the step took (at most half the hub's and
   * the engine's time goes to counters while a pass runs), skipped when a reader waits.
   */
  private async breathe(): Promise<void> {
    const took = performance.now() - this.stepStart;
    if (!this.forced)
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(took, PAUSE_MS), 200)));
    this.stepStart = performance.now();
  }

  /**
   * Small bulks with a breath between them: a counter upsert costs the engine ~0.1 ms, and
   * thousands at once would hold a core long enough to delay the notifications behind them.
   */
  private async writePaced(cells: Cells): Promise<void> {
    const all = [...cells];
    for (let i = 0; i < all.length; i += CELLS_PER_STEP) {
      if (i > 0) await this.breathe();
      await writeCells(this.ctx, new Map(all.slice(i, i + CELLS_PER_STEP)));
    }
  }

  /** Counts the queued transitions into the cells held in memory, in slices; each gets a due time. */
  private async count(): Promise<void> {
    const transitions = this.transitions.splice(0);
    const outgoing = this.outgoing.splice(0);
    const cells: Cells = new Map();
    // in slices, so a burst of transitions never holds the event loop for long
    for (let i = 0; i < transitions.length; i += SLICE) {
      if (i > 0) await this.breathe();
      this.exceptions.push(
        ...(await countTransitions(this.ctx, transitions.slice(i, i + SLICE), cells)),
      );
    }
    this.exceptions.push(...(await countOutgoing(this.ctx, outgoing, cells)));
    const now = Date.now();
    for (const [id, inc] of cells) {
      addCell(this.cells, id, inc);
      if (!this.due.has(id)) this.due.set(id, now + (isDayCell(id) ? WINDOW_MS : COARSE_MS));
    }
  }

  /** The cells due now, oldest first, at most a pass's worth (all of them for a reader). */
  private takeDue(): Cells {
    const now = Date.now();
    const ids = [...this.due]
      .filter(([, at]) => this.forced || at <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, this.forced ? undefined : CELLS_PER_PASS)
      .map(([id]) => id);
    const taken: Cells = new Map();
    for (const id of ids) {
      taken.set(id, this.cells.get(id)!);
      this.cells.delete(id);
      this.due.delete(id);
    }

    return taken;
  }

  private async write(): Promise<void> {
    this.stepStart = performance.now();
    // a reader waiting from the start gets every cell written; one arriving later, a next pass
    const forced = this.forced;
    try {
      await this.count();
      const due = this.takeDue();
      const exceptions = this.exceptions.splice(0);
      if (due.size + exceptions.length === 0) return;
      await this.breathe();
      await Promise.all([this.writePaced(due), recordExceptions(this.ctx, exceptions)]);
    } catch (err) {
      this.ctx.log.error(
        { err },
        'stats counters: a batch could not be written (rebuild realigns)',
      );
    } finally {
      if (forced) this.forced = false;
    }
  }
}

/**
 * Queues transitions (and a dispatch's outgoing document) for the counters. Resolves at once,
 * unless the queue is long: then once it has been written.
 */
export function countLater(
  ctx: HubContext,
  transitions: Transition[],
  outgoing?: Outgoing,
): Promise<void> {
  return ctx.services.stats.queue.add(transitions, outgoing ? [outgoing] : []);
}

/** Resolves once everything queued so far is written. */
export function flushCounters(ctx: HubContext): Promise<void> {
  return ctx.services.stats.queue.flush();
}

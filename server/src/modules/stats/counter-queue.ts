import type { Document } from 'mongodb';
import type { HubContext } from '../../context.js';
import type { DispatchDoc } from '../exchange/delivery.model.js';
import { writeCells, type Cells } from './counter-cells.js';
import { countTransitions, type Transition } from './counters.js';
import { recordExceptions } from './item-bounds.js';
import { recordOutgoingMany, type OutgoingDocument } from './outgoing-counters.js';

type Outgoing = { dispatch: DispatchDoc; doc: OutgoingDocument };

/** Past this many queued transitions, callers wait for the flush (backpressure, bounded memory). */
const MAX_QUEUED = 20_000;
/**
 * A flush waits this long after the previous one began, gathering what arrives meanwhile: at
 * 1,000 deliveries/s a recipient organization's cells are written once for several deliveries.
 */
const WINDOW_MS = 2_000;
/** Transitions counted per step of a flush. */
const SLICE = 1_000;

/**
 * Counters are derived data, so the exchange hands its transitions here and answers without
 * waiting for them. One flush runs at a time per hub, at most one per window, and takes
 * everything queued meanwhile as one batch, in which the increments of a cell hit by many
 * deliveries are merged — the heavier the load, the fewer writes per delivery (each counter upsert costs the engine about as much as storing a
 * delivery). Stats reads flush at once, so a node reads its own writes. A crash loses what was
 * queued and not yet flushed, like a crash between a transition and its counters always could
 * (`POST /api/v1/stats/rebuild`).
 */
class CounterQueue {
  private transitions: Transition[] = [];
  private outgoing: Outgoing[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastStart = 0;
  /** Batches handed in, and how many of the first of them are written (flushes wait on these). */
  private added = 0;
  private written = 0;

  constructor(private readonly ctx: HubContext) {}

  add(transitions: Transition[], outgoing: Outgoing[]): Promise<void> {
    if (transitions.length === 0 && outgoing.length === 0) return Promise.resolve();
    this.transitions.push(...transitions);
    this.outgoing.push(...outgoing);
    this.added++;
    if (this.transitions.length > MAX_QUEUED) return this.flush();
    this.schedule();

    return Promise.resolve();
  }

  /** Resolves once everything queued before the call is written (later arrivals do not hold it). */
  async flush(): Promise<void> {
    const target = this.added;
    while (this.written < target) {
      this.start();
      if (!this.running) return; // nothing queued, nothing writing: all is written
      await this.running;
    }
  }

  private queued(): boolean {
    return this.transitions.length > 0 || this.outgoing.length > 0;
  }

  private schedule(): void {
    if (this.running || this.timer || !this.queued()) return;
    const wait = Math.max(0, this.lastStart + WINDOW_MS - Date.now());
    this.timer = setTimeout(() => this.start(), wait);
    this.timer.unref();
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || !this.queued()) return;
    this.lastStart = Date.now();
    const upTo = this.added;
    this.running = this.write().finally(() => {
      this.written = upTo;
      this.running = null;
      this.schedule();
    });
  }

  private async write(): Promise<void> {
    const transitions = this.transitions.splice(0);
    const outgoing = this.outgoing.splice(0);
    try {
      // in slices, so one flush of a busy window never holds the event loop for long
      const cells: Cells = new Map();
      const exceptions: Document[] = [];
      for (let i = 0; i < transitions.length; i += SLICE)
        exceptions.push(
          ...(await countTransitions(this.ctx, transitions.slice(i, i + SLICE), cells)),
        );
      await Promise.all([writeCells(this.ctx, cells), recordExceptions(this.ctx, exceptions)]);
      await recordOutgoingMany(this.ctx, outgoing);
    } catch (err) {
      this.ctx.log.error(
        { err },
        'stats counters: a batch could not be written (rebuild realigns)',
      );
    }
  }
}

const queues = new WeakMap<HubContext, CounterQueue>();

function queueOf(ctx: HubContext): CounterQueue {
  let q = queues.get(ctx);
  if (!q) queues.set(ctx, (q = new CounterQueue(ctx)));

  return q;
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
  return queueOf(ctx).add(transitions, outgoing ? [outgoing] : []);
}

/** Resolves once everything queued so far is written. */
export function flushCounters(ctx: HubContext): Promise<void> {
  return queues.get(ctx)?.flush() ?? Promise.resolve();
}

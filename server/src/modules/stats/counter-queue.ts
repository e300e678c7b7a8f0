import type { HubContext } from '../../context.js';
import type { DispatchDoc } from '../exchange/delivery.model.js';
import { recordTransitions, type Transition } from './counters.js';
import { recordOutgoing, type OutgoingDocument } from './outgoing-counters.js';

type Outgoing = { dispatch: DispatchDoc; doc: OutgoingDocument };

/** Past this many queued transitions, callers wait for the flush (backpressure, bounded memory). */
const MAX_QUEUED = 20_000;

/**
 * Counters are derived data, so the exchange hands its transitions here and answers without
 * waiting for them. One flush runs at a time per hub and takes everything queued meanwhile as
 * one batch: one marker bulk and one counter bulk in which the increments of a cell hit by many
 * deliveries are merged — the heavier the load, the fewer writes per delivery. Stats reads flush
 * first, so a node reads its own writes. A crash loses what was queued and not yet flushed, like
 * a crash between a transition and its counters always could (`POST /api/v1/stats/rebuild`).
 */
class CounterQueue {
  private transitions: Transition[] = [];
  private outgoing: Outgoing[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly ctx: HubContext) {}

  add(transitions: Transition[], outgoing: Outgoing[]): Promise<void> {
    this.transitions.push(...transitions);
    this.outgoing.push(...outgoing);
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });

    return this.transitions.length > MAX_QUEUED ? this.flush() : Promise.resolve();
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.transitions.length > 0 || this.outgoing.length > 0) {
      const transitions = this.transitions.splice(0);
      const outgoing = this.outgoing.splice(0);
      try {
        await recordTransitions(this.ctx, transitions);
        for (const o of outgoing) await recordOutgoing(this.ctx, o.dispatch, o.doc);
      } catch (err) {
        this.ctx.log.error(
          { err },
          'stats counters: a batch could not be written (rebuild realigns)',
        );
      }
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

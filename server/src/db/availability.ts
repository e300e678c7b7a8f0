import { EventEmitter } from 'node:events';

/**
 * Why the database does not answer: its local engine died (and is being restarted), the disk of
 * DATA_DIR is full (restarts wait for space), or the MongoDB of MONGODB_URI is unreachable.
 */
export type OutageReason = 'engine-down' | 'disk-full' | 'unreachable';

export type Outage = { reason: OutageReason; detail: string; since: Date };

type AvailabilityEvents = {
  down: [Outage];
  up: [];
  /** Recovery gave up (too many failed attempts in the window): the hub must exit. */
  fatal: [message: string];
};

/**
 * The hub's one view of whether its database answers: the engine supervisor and the driver's
 * topology events set it; /readyz, the fail-fast middleware and the sockets read it.
 */
export class Availability extends EventEmitter<AvailabilityEvents> {
  outage: Outage | null = null;

  get available(): boolean {
    return this.outage === null;
  }

  down(reason: OutageReason, detail: string): void {
    const first = this.outage === null;
    // a later, more precise reason (disk full) replaces the first one; `since` stays
    this.outage = { reason, detail, since: this.outage?.since ?? new Date() };
    if (first) this.emit('down', this.outage);
  }

  up(): void {
    if (this.outage === null) return;
    this.outage = null;
    this.emit('up');
  }

  fatal(message: string): void {
    this.emit('fatal', message);
  }
}

/** How long clients are told to wait before retrying while the database is away. */
export const RETRY_AFTER_S = 2;

/** Fail-fast: this many failed recoveries within WINDOW and the hub exits (systemd restarts it). */
export const MAX_FAILED_RECOVERIES = 5;
export const FAILURE_WINDOW_MS = 120_000;

/** 0.25 s, 0.5 s, 1 s, … at most 8 s between attempts. */
export function backoffMs(attempt: number): number {
  return Math.min(8_000, 250 * 2 ** attempt);
}

/** Counts failed recoveries in a sliding window. */
export class FailureBudget {
  private failures: number[] = [];

  constructor(
    private readonly max = MAX_FAILED_RECOVERIES,
    private readonly windowMs = FAILURE_WINDOW_MS,
  ) {}

  /** Records a failure; true when the budget is spent. */
  fail(now = Date.now()): boolean {
    this.failures = this.failures.filter((t) => now - t < this.windowMs);
    this.failures.push(now);

    return this.failures.length >= this.max;
  }

  get count(): number {
    return this.failures.length;
  }
}

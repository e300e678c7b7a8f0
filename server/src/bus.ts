/**
 * What modules announce to each other. Each publishing module adds its events to this interface
 * from its own folder (`declare module '../../bus.js'`), so the bus knows no module.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HubEvents {}

type Handler<K extends keyof HubEvents> = (event: HubEvents[K]) => unknown;

/**
 * One per hub. `publish` runs every subscriber and waits for all of them: a side effect that
 * must not be lost (an audit row) is done when the publishing request answers, and its failure
 * is the request's failure — nothing is fire-and-forget.
 */
export class Bus {
  private readonly handlers = new Map<keyof HubEvents, Handler<never>[]>();
  private readonly running = new Set<Promise<unknown>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof HubEvents>(name: K, handler: Handler<K>): () => void {
    const h = handler as Handler<never>;
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), h]);

    return () =>
      this.handlers.set(
        name,
        this.handlers.get(name)!.filter((x) => x !== h),
      );
  }

  async publish<K extends keyof HubEvents>(name: K, event: HubEvents[K]): Promise<void> {
    const handlers = (this.handlers.get(name) ?? []) as Handler<K>[];
    const all = Promise.allSettled(handlers.map(async (h) => h(event)));
    this.running.add(all);
    const results = await all.finally(() => this.running.delete(all));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Waits for the subscribers still running (the hub stops: they finish before the database). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * Where a client of the event stream stands, shared by the web client and the tests' clients so
 * that both follow one replay protocol (contracts/events.ts):
 * - the handshake asks for everything after the last seq seen, or after `replayFrom` when the hub
 *   sent `hub:resync` (events of other nodes may lie below seqs already seen), until the replay
 *   is done;
 * - a replay asked for stays asked for until `replay:done`: a connection whose replay failed (the
 *   hub closes it) asks again from the same seq, although live events went past it meanwhile;
 * - an event is new when its seq was not seen by this client, whatever its order: across nodes
 *   N may arrive before N−1, and a replay may race a live emit. The last seq kept (for the next
 *   session too) is the highest seen.
 */
export class EventCursor {
  private readonly seen = new Set<number>();
  private resumeFrom: number | undefined;

  /** `store` keeps the highest seq between sessions (the web client: localStorage). */
  constructor(
    private readonly store: { get(): number | undefined; set(seq: number): void },
    private readonly remembered = 10_000,
  ) {}

  get lastSeq(): number | undefined {
    return this.store.get();
  }

  /** The `lastSeq` of this handshake; what it asks for is pending until `replayDone`. */
  handshakeSeq(): number | undefined {
    this.resumeFrom ??= this.store.get();

    return this.resumeFrom;
  }

  /** `hub:resync`: the next connection replays from there. */
  resync(replayFrom: number): void {
    this.resumeFrom = Math.min(
      this.resumeFrom ?? Infinity,
      this.store.get() ?? replayFrom,
      replayFrom,
    );
  }

  /** `replay:done`: from now on the last seq seen is where a reconnection starts. */
  replayDone(): void {
    this.resumeFrom = undefined;
  }

  /** True the first time a seq is seen; the highest is stored. */
  accept(seq: number): boolean {
    if (this.seen.has(seq)) return false;
    this.seen.add(seq);
    // the oldest seqs are forgotten: a replay never goes back that far once it is done
    if (this.seen.size > this.remembered) this.seen.delete(this.seen.values().next().value!);
    if (seq > (this.store.get() ?? 0)) this.store.set(seq);

    return true;
  }
}

/**
 * Writes an ordered shard's checkpoint through its ShardCommitter: one call at a time, in
 * increasing order, coalescing prefixes that finish while a call is running into one call with
 * the latest record. A failing write is retried (backoff) and never skipped.
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';
import type { Advance } from '../batching/checkpoint-tracker.js';
import type { PolledRecord, ShardCommitter } from '../sources/source.js';

export interface CheckpointerDeps {
  readonly committer: ShardCommitter;
  readonly clock: Clock;
  /** Aborting stops retrying a failed write (abandon); writes already asked for are still tried once. */
  readonly signal: AbortSignal;
  readonly backoffMs: (attempt: number) => number;
  /** A prefix was written: `count` records / `weight` bytes are now finished. */
  readonly onCommitted: (a: Advance<PolledRecord>) => void;
  readonly onError: (err: unknown, attempt: number) => void;
}

export class Checkpointer {
  readonly #d: CheckpointerDeps;
  #queued: Advance<PolledRecord> | undefined;
  #running: Promise<void> | undefined;

  constructor(d: CheckpointerDeps) {
    this.#d = d;
  }

  offer(a: Advance<PolledRecord>): void {
    this.#queued = merge(this.#queued, a);
    // #running is cleared synchronously when the loop sees nothing queued, so an offer that
    // arrives after that always starts a new loop (no lost wake-up).
    if (!this.#running) this.#running = this.#run();
  }

  /** Resolves when no write is running or queued (or retrying was aborted). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    let attempt = 0;
    for (;;) {
      if (!this.#queued) {
        this.#running = undefined;
        return;
      }
      const a = this.#queued;
      this.#queued = undefined;
      try {
        await this.#d.committer.checkpoint(a.last);
        attempt = 0;
        this.#d.onCommitted(a);
      } catch (err) {
        attempt++;
        this.#queued = merge(a, this.#queued);
        this.#d.onError(err, attempt);
        if (this.#d.signal.aborted) {
          this.#running = undefined;
          return;
        }
        try {
          await delay(this.#d.backoffMs(attempt), this.#d.signal, this.#d.clock);
        } catch {
          this.#running = undefined;
          return;
        }
      }
    }
  }
}

/** `older` then `newer` as one prefix ending at the newer record. */
function merge(older: Advance<PolledRecord> | undefined, newer: Advance<PolledRecord> | undefined): Advance<PolledRecord> | undefined {
  if (!older) return newer;
  if (!newer) return older;
  return { last: newer.last, count: older.count + newer.count, weight: older.weight + newer.weight };
}

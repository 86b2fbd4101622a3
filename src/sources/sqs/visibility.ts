/**
 * Keeps received-but-unsettled messages invisible. A message held longer than half the queue's
 * VisibilityTimeout (waiting in the batcher, or inside a long invoke) gets its timeout set to the
 * full VisibilityTimeout again, so another consumer never receives it while sluice still works on
 * it. Settled messages are untracked. A message whose extension fails (receipt handle expired) is
 * untracked too: it reappears and is redelivered — at least once, never lost.
 *
 * Note: AWS caps a message's total invisibility at 12 hours from its first receive; sluice does
 * not track that cap (an extension past it fails and the message reappears).
 */
import type { Clock } from '../../core/clock.js';

export interface VisibilityKeeperOptions {
  readonly clock: Clock;
  /** The queue's VisibilityTimeout in seconds. 0 turns extension off (nothing to protect). */
  readonly visibilityTimeoutSec: number;
  /** Sets the visibility timeout of these receipt handles to `seconds`; resolves with those that failed. */
  extend(handles: readonly string[], seconds: number): Promise<readonly string[]>;
  /** Called when a whole extension round throws. */
  onError?(err: unknown): void;
}

export class VisibilityKeeper {
  readonly #o: VisibilityKeeperOptions;
  /** receipt handle → when its current visibility period started (epoch ms). */
  readonly #held = new Map<string, number>();
  #cancelTimer: (() => void) | undefined;
  #running = false;
  #closed = false;
  /** Times extend() was called (observability/tests). */
  extensions = 0;

  constructor(o: VisibilityKeeperOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#held.size;
  }

  /**
   * Starts protecting these messages. `since`: when their visibility period began — pass the time
   * the ReceiveMessage request was sent (the server starts the timeout somewhere between request
   * and response; a long poll can hold the response for seconds).
   */
  track(handles: readonly string[], since: number): void {
    if (this.#closed || this.#o.visibilityTimeoutSec <= 0) return;
    for (const h of handles) this.#held.set(h, since);
    const dueNow = this.#o.clock.now() - since >= this.#periodMs / 2;
    if (dueNow) this.#stopTimer(); // reschedule at 0
    this.#schedule(dueNow ? 0 : undefined);
  }

  /** When this held message's current visibility period began (epoch ms), if tracked. */
  since(handle: string): number | undefined {
    return this.#held.get(handle);
  }

  untrack(handles: readonly string[]): void {
    for (const h of handles) this.#held.delete(h);
    if (this.#held.size === 0) this.#stopTimer();
  }

  /** Stops extending (held messages reappear after their current timeout). Idempotent. */
  close(): void {
    this.#closed = true;
    this.#held.clear();
    this.#stopTimer();
  }

  get #periodMs(): number {
    return this.#o.visibilityTimeoutSec * 1000;
  }

  #schedule(inMs?: number): void {
    if (this.#cancelTimer || this.#running || this.#closed || this.#held.size === 0) return;
    // Check four times per timeout period: a message is extended between 1/2 and 3/4 of it.
    const every = inMs ?? Math.max(100, Math.floor(this.#periodMs / 4));
    this.#cancelTimer = this.#o.clock.setTimer(() => {
      this.#cancelTimer = undefined;
      void this.#tick();
    }, every);
  }

  #stopTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  async #tick(): Promise<void> {
    this.#running = true;
    try {
      const now = this.#o.clock.now();
      const due: string[] = [];
      for (const [h, since] of this.#held) if (now - since >= this.#periodMs / 2) due.push(h);
      if (due.length > 0) {
        this.extensions++;
        const failed = await this.#o.extend(due, this.#o.visibilityTimeoutSec);
        const failedSet = new Set(failed);
        for (const h of due) {
          if (!this.#held.has(h)) continue; // settled meanwhile
          if (failedSet.has(h)) this.#held.delete(h);
          else this.#held.set(h, now);
        }
      }
    } catch (err) {
      this.#o.onError?.(err);
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }
}

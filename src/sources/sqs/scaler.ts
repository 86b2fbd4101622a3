/**
 * SQS poller scaling (esm-semantics.md §3, "Scaling"): concurrency — receive loops and batches in
 * flight — starts at 5, grows while receives come back full, shrinks when they come back empty or
 * when the function fails, and never exceeds ScalingConfig.MaximumConcurrency. Pure: time comes in
 * as arguments.
 */

export interface SqsScalerOptions {
  /** Upper bound: ScalingConfig.MaximumConcurrency (2..1000), else `defaultMax`. */
  readonly max: number;
  /** Starting and resting concurrency. Default 5 (AWS), never above `max`. */
  readonly initial?: number;
  /** Minimum time between two increases. Default 200 ms (AWS adds at most 300 per minute). */
  readonly growIntervalMs?: number;
  /** Minimum time between two decreases. Default 1000 ms. */
  readonly shrinkIntervalMs?: number;
  /** A full receive: this many messages. Default 10 (SQS MaxNumberOfMessages). */
  readonly fullReceive?: number;
}

export class SqsScaler {
  readonly max: number;
  readonly floor: number;
  readonly #growMs: number;
  readonly #shrinkMs: number;
  readonly #full: number;
  #target: number;
  #lastGrow = -Infinity;
  #lastShrink = -Infinity;

  constructor(o: SqsScalerOptions) {
    this.max = Math.max(1, Math.floor(o.max));
    this.floor = Math.max(1, Math.min(o.initial ?? 5, this.max));
    this.#target = this.floor;
    this.#growMs = o.growIntervalMs ?? 200;
    this.#shrinkMs = o.shrinkIntervalMs ?? 1000;
    this.#full = o.fullReceive ?? 10;
  }

  get target(): number {
    return this.#target;
  }

  /** A receive returned `count` messages at `now`. Returns true when the target changed. */
  onReceive(count: number, now: number): boolean {
    if (count >= this.#full) {
      if (this.#target < this.max && now - this.#lastGrow >= this.#growMs) {
        this.#target++;
        this.#lastGrow = now;
        return true;
      }
      return false;
    }
    if (count === 0) return this.#shrink(this.#target - 1, now);
    return false;
  }

  /** An invoke of this mapping failed: back off to half (not below the floor). */
  onInvokeFailed(now: number): boolean {
    return this.#shrink(Math.ceil(this.#target / 2), now);
  }

  #shrink(to: number, now: number): boolean {
    const next = Math.max(this.floor, to);
    if (next >= this.#target || now - this.#lastShrink < this.#shrinkMs) return false;
    this.#target = next;
    this.#lastShrink = now;
    return true;
  }
}

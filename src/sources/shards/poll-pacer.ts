/**
 * When a shard's next GetRecords may start. AWS allows at most 5 GetRecords calls per second per
 * shard; sluice keeps to that (any 1 s window holds at most `maxPerSecond` call starts). Within
 * it: immediately again while behind, an idle back-off while caught up (AWS Lambda polls an idle
 * shard about once per second), and an exponential back-off with full jitter after throttling or
 * errors. Pure apart from the clock it reads.
 */
import type { Clock } from '../../core/clock.js';

export interface PollPacerOptions {
  /** GetRecords calls per second per shard. Default 5 (the AWS per-shard limit). */
  readonly maxPerSecond?: number;
  /** First idle wait once caught up. Default 200 ms. */
  readonly idleMinMs?: number;
  /** Longest idle wait. Default 1000 ms. */
  readonly idleMaxMs?: number;
  /** First back-off after throttling or an error. Default 250 ms. */
  readonly errorMinMs?: number;
  /** Longest back-off after throttling or errors. Default 10 000 ms. */
  readonly errorMaxMs?: number;
  /** Random source for jitter, [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export type PollOutcome = 'behind' | 'caughtUp' | 'throttled' | 'error';

export class PollPacer {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #idleMin: number;
  readonly #idleMax: number;
  readonly #errMin: number;
  readonly #errMax: number;
  readonly #random: () => number;
  /** Start times of the last `max` calls, oldest first. */
  readonly #starts: number[] = [];
  #idle = 0;
  #errors = 0;
  #notBefore = 0;

  constructor(clock: Clock, opts: PollPacerOptions = {}) {
    this.#clock = clock;
    this.#max = opts.maxPerSecond ?? 5;
    this.#idleMin = opts.idleMinMs ?? 200;
    this.#idleMax = opts.idleMaxMs ?? 1000;
    this.#errMin = opts.errorMinMs ?? 250;
    this.#errMax = opts.errorMaxMs ?? 10_000;
    this.#random = opts.random ?? Math.random;
  }

  /** Milliseconds to wait before the next call may start (0: now). */
  waitMs(): number {
    const now = this.#clock.now();
    let at = this.#notBefore;
    if (this.#starts.length >= this.#max) at = Math.max(at, this.#starts[0]! + 1000);
    return Math.max(0, at - now);
  }

  /** A GetRecords call starts now. */
  started(): void {
    this.#starts.push(this.#clock.now());
    if (this.#starts.length > this.#max) this.#starts.shift();
  }

  /** How the last call went; sets the earliest start of the next one. */
  outcome(o: PollOutcome): void {
    const now = this.#clock.now();
    switch (o) {
      case 'behind':
        this.#idle = 0;
        this.#errors = 0;
        this.#notBefore = now;
        break;
      case 'caughtUp':
        this.#errors = 0;
        this.#notBefore = now + Math.min(this.#idleMax, this.#idleMin * 2 ** this.#idle);
        if (this.#idleMin * 2 ** this.#idle < this.#idleMax) this.#idle++;
        break;
      case 'throttled':
      case 'error': {
        const cap = Math.min(this.#errMax, this.#errMin * 2 ** this.#errors);
        if (this.#errMin * 2 ** this.#errors < this.#errMax) this.#errors++;
        // Full jitter, but never below a quarter of the step so a hot loop cannot form.
        this.#notBefore = now + cap / 4 + this.#random() * (cap * 3) / 4;
        break;
      }
    }
  }
}

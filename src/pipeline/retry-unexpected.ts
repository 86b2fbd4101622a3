/**
 * Runs a batch again, after backoff, when it throws — a bug, not a function error (function errors
 * are outcomes). A batch is never skipped: skipping would let the checkpoint pass its records.
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';

/**
 * `firstError`: the caller already ran the batch once and it threw this (attempt 1); the retries
 * start with its backoff. Without it, attempt 1 is run here.
 */
export async function retryUnexpected(
  run: () => Promise<void>,
  o: { signal: AbortSignal; clock: Clock; backoffMs: (attempt: number) => number; onError: (err: unknown, attempt: number) => void },
  ...firstError: [unknown?]
): Promise<void> {
  let failed = firstError.length > 0;
  let err: unknown = firstError[0];
  for (let attempt = 1; ; attempt++) {
    if (!failed) {
      try {
        await run();
        return;
      } catch (e) {
        err = e;
      }
    }
    failed = false;
    if (o.signal.aborted) return;
    o.onError(err, attempt);
    try {
      await delay(o.backoffMs(attempt), o.signal, o.clock);
    } catch {
      return;
    }
  }
}

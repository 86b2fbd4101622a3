/**
 * Runs a batch again, after backoff, when it throws — a bug, not a function error (function errors
 * are outcomes). A batch is never skipped: skipping would let the checkpoint pass its records.
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';

export async function retryUnexpected(
  run: () => Promise<void>,
  o: { signal: AbortSignal; clock: Clock; backoffMs: (attempt: number) => number; onError: (err: unknown, attempt: number) => void },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return;
    } catch (err) {
      if (o.signal.aborted) return;
      o.onError(err, attempt);
      try {
        await delay(o.backoffMs(attempt), o.signal, o.clock);
      } catch {
        return;
      }
    }
  }
}

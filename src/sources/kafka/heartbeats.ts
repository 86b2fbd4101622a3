/**
 * Waits for `work` while heartbeating the consumer group every `intervalMs`, so a partition held
 * for a slow function (or backpressure) does not drop out of the group. A heartbeat that fails
 * (rebalance in progress, member fenced) rejects the wait: the caller gives the partition up.
 */
import type { Clock } from '../../core/clock.js';

export async function withHeartbeats<T>(work: Promise<T>, heartbeat: () => Promise<void>, intervalMs: number, clock: Clock): Promise<T> {
  let settled = false;
  const done = work.then(
    (v) => {
      settled = true;
      return v;
    },
    (e: unknown) => {
      settled = true;
      throw e;
    },
  );
  for (;;) {
    let cancel: (() => void) | undefined;
    const tick = new Promise<'tick'>((resolve) => {
      cancel = clock.setTimer(() => resolve('tick'), intervalMs);
    });
    try {
      const r = await Promise.race([done, tick]);
      if (settled) return r as T;
    } finally {
      cancel?.();
    }
    await heartbeat();
  }
}

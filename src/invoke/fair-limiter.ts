/**
 * A concurrency limiter shared by every mapping that invokes one function. At most `limit` slots
 * are held at once; waiters queue per key (the mapping) in FIFO order and free slots are handed to
 * the keys round-robin, so a busy mapping cannot starve a quiet one. The total number of waiters
 * is bounded; waiting respects the caller's AbortSignal.
 */
import { AbortedError, RuntimeError } from '../core/errors.js';
import { onAbort } from './abort-fanout.js';

export interface FairLimiterOptions {
  /** Maximum slots held at once (the function's `concurrency`). */
  readonly limit: number;
  /** Maximum waiters across all keys; the next acquire() rejects with `INVOKE_QUEUE_FULL`. */
  readonly maxWaiting: number;
}

export interface FairLimiter {
  readonly limit: number;
  /** Slots held now. */
  readonly active: number;
  /** Waiters queued now, across keys. */
  readonly waiting: number;
  /** Takes a slot at once when one is free and nobody waits (fast path, no promise). */
  tryAcquire(): boolean;
  /**
   * Waits for a slot. Rejects with AbortedError when `signal` aborts, with a retriable
   * RuntimeError `INVOKE_QUEUE_FULL` when maxWaiting waiters already queue, and with `closeError`
   * after close().
   */
  acquire(key: string, signal?: AbortSignal): Promise<void>;
  /** Returns a slot: hands it to the next waiter round-robin across keys, or frees it. */
  release(): void;
  /** Resolves when no slot is held. */
  idle(): Promise<void>;
  /** Rejects every waiter and every later acquire() with `err`. */
  close(err: Error): void;
}

interface Waiter {
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  off: (() => void) | undefined;
}

export function createFairLimiter(opts: FairLimiterOptions): FairLimiter {
  if (!Number.isInteger(opts.limit) || opts.limit < 1) throw new RangeError('limit must be an integer >= 1');
  if (!Number.isInteger(opts.maxWaiting) || opts.maxWaiting < 0) throw new RangeError('maxWaiting must be an integer >= 0');
  const limit = opts.limit;
  const queues = new Map<string, Waiter[]>();
  /** Keys that have waiters, in round-robin order; `cursor` is the next key served. */
  const ring: string[] = [];
  let cursor = 0;
  let active = 0;
  let waiting = 0;
  let closed: Error | undefined;
  let idleWaiters: (() => void)[] = [];

  const dropKey = (key: string): void => {
    queues.delete(key);
    const i = ring.indexOf(key);
    if (i < 0) return;
    ring.splice(i, 1);
    if (i < cursor) cursor--;
    if (cursor >= ring.length) cursor = 0;
  };

  const detach = (w: Waiter): void => {
    w.off?.();
    w.off = undefined;
  };

  const next = (): Waiter | undefined => {
    if (ring.length === 0) return undefined;
    if (cursor >= ring.length) cursor = 0;
    const key = ring[cursor]!;
    const q = queues.get(key)!;
    const w = q.shift()!;
    waiting--;
    if (q.length === 0) dropKey(key);
    else cursor = (cursor + 1) % ring.length;
    return w;
  };

  return {
    limit,
    get active() {
      return active;
    },
    get waiting() {
      return waiting;
    },
    tryAcquire() {
      if (closed !== undefined || active >= limit || waiting > 0) return false;
      active++;
      return true;
    },
    acquire(key, signal) {
      if (closed !== undefined) return Promise.reject(closed);
      if (signal?.aborted) return Promise.reject(new AbortedError('invoke aborted while waiting for concurrency'));
      if (active < limit && waiting === 0) {
        active++;
        return Promise.resolve();
      }
      if (waiting >= opts.maxWaiting) {
        return Promise.reject(
          new RuntimeError(`more than ${opts.maxWaiting} invokes wait for concurrency`, { code: 'INVOKE_QUEUE_FULL', retriable: true }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { key, resolve, reject, off: undefined };
        let q = queues.get(key);
        if (q === undefined) {
          q = [];
          queues.set(key, q);
          ring.push(key);
        }
        q.push(w);
        waiting++;
        if (signal !== undefined) {
          w.off = onAbort(signal, () => {
            const list = queues.get(key);
            const i = list === undefined ? -1 : list.indexOf(w);
            if (i < 0) return;
            list!.splice(i, 1);
            waiting--;
            if (list!.length === 0) dropKey(key);
            detach(w);
            reject(new AbortedError('invoke aborted while waiting for concurrency'));
          });
        }
      });
    },
    release() {
      if (active <= 0) throw new Error('release() without a held slot');
      const w = next();
      if (w !== undefined) {
        detach(w);
        w.resolve(); // the slot passes to the waiter: `active` is unchanged
        return;
      }
      active--;
      if (active === 0 && idleWaiters.length > 0) {
        const ws = idleWaiters;
        idleWaiters = [];
        for (const f of ws) f();
      }
    },
    idle() {
      if (active === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
    close(err) {
      if (closed !== undefined) return;
      closed = err;
      for (;;) {
        const w = next();
        if (w === undefined) break;
        detach(w);
        w.reject(err);
      }
    },
  };
}

/**
 * The bounded buffer of one shard: counts accepted-but-unfinished records and bytes, and makes
 * `push()` wait while either limit is reached (backpressure: a source that is ahead waits).
 */
import { AbortedError } from '../core/errors.js';

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

export class CapacityGate {
  #records = 0;
  #bytes = 0;
  #maxRecords: number;
  readonly #maxBytes: number;
  #closed: Error | undefined;
  readonly #roomWaiters = new Set<Waiter>();
  readonly #emptyWaiters = new Set<Waiter>();

  constructor(maxRecords: number, maxBytes: number) {
    this.#maxRecords = Math.max(1, maxRecords);
    this.#maxBytes = Math.max(1, maxBytes);
  }

  get records(): number {
    return this.#records;
  }
  get bytes(): number {
    return this.#bytes;
  }
  get full(): boolean {
    return this.#records >= this.#maxRecords || this.#bytes >= this.#maxBytes;
  }
  setMaxRecords(n: number): void {
    this.#maxRecords = Math.max(1, n);
    this.#wake();
  }

  /** Resolves when there is room (one push may overshoot the limits); rejects when closed or aborted. */
  waitForRoom(signal?: AbortSignal): Promise<void> {
    return this.#wait(this.#roomWaiters, () => !this.full, signal);
  }

  /** Resolves when nothing is pending; rejects when `signal` aborts. */
  waitEmpty(signal?: AbortSignal): Promise<void> {
    return this.#wait(this.#emptyWaiters, () => this.#records === 0, signal, true);
  }

  add(records: number, bytes: number): void {
    this.#records += records;
    this.#bytes += bytes;
  }

  release(records: number, bytes: number): void {
    this.#records = Math.max(0, this.#records - records);
    this.#bytes = Math.max(0, this.#bytes - bytes);
    this.#wake();
  }

  /** Forgets everything pending (abandon) and wakes every waiter. */
  reset(): void {
    this.#records = 0;
    this.#bytes = 0;
    this.#wake();
  }

  /** Rejects current and future room waiters (the shard is closing). */
  close(reason: Error): void {
    this.#closed = reason;
    for (const w of this.#roomWaiters) w.reject(reason);
    this.#roomWaiters.clear();
  }

  #wake(): void {
    if (!this.full) {
      for (const w of this.#roomWaiters) w.resolve();
      this.#roomWaiters.clear();
    }
    if (this.#records === 0) {
      for (const w of this.#emptyWaiters) w.resolve();
      this.#emptyWaiters.clear();
    }
  }

  #wait(set: Set<Waiter>, ready: () => boolean, signal: AbortSignal | undefined, ignoreClosed = false): Promise<void> {
    if (this.#closed && !ignoreClosed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(new AbortedError('wait aborted'));
    if (ready()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        set.delete(w);
        reject(new AbortedError('wait aborted'));
      };
      const w: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      set.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

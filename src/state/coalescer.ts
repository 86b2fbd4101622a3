import type { MappingUuid, ShardId } from '../core/ids.js';
import { StateStoreError } from '../core/errors.js';
import type { ShardCheckpoint } from './store.js';

/** Writes one batch of checkpoints atomically (one transaction). */
export type CheckpointBatchWriter = (batch: readonly ShardCheckpoint[]) => Promise<void>;

const key = (m: MappingUuid | string, s: ShardId | string): string => `${m}\u0000${s}`;

/**
 * Keeps the latest checkpoint per shard in memory and writes them in one transaction at most
 * every `intervalMs`. Writes (flushes and the callers' own exclusive operations) are serialised,
 * so a flush never races a mapping delete. The timer is unref()'d.
 */
export class CheckpointCoalescer {
  readonly #write: CheckpointBatchWriter;
  readonly #intervalMs: number;
  #pending = new Map<string, ShardCheckpoint>();
  /** The batch being written now: still visible to reads until the write finished. */
  #inflight = new Map<string, ShardCheckpoint>();
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #lastError: unknown;
  #closed = false;

  constructor(write: CheckpointBatchWriter, intervalMs: number) {
    this.#write = write;
    this.#intervalMs = Math.max(0, intervalMs);
  }

  put(cp: ShardCheckpoint): void {
    if (this.#closed) throw new StateStoreError('state store is closed', { code: 'STATE_STORE_CLOSED' });
    this.#pending.set(key(cp.mappingUuid, cp.shardId), cp);
    this.#schedule();
  }

  /** The not-yet-written checkpoint of a shard, if any (reads see their own writes). */
  peek(m: MappingUuid, s: ShardId): ShardCheckpoint | undefined {
    const k = key(m, s);
    return this.#pending.get(k) ?? this.#inflight.get(k);
  }

  pendingFor(m: MappingUuid): ShardCheckpoint[] {
    const out = new Map<string, ShardCheckpoint>();
    for (const [k, cp] of this.#inflight) if (cp.mappingUuid === m) out.set(k, cp);
    for (const [k, cp] of this.#pending) if (cp.mappingUuid === m) out.set(k, cp);
    return [...out.values()];
  }

  /** Forgets the pending checkpoints of a mapping (before its rows are deleted). */
  drop(m: MappingUuid): void {
    for (const [k, cp] of this.#pending) if (cp.mappingUuid === m) this.#pending.delete(k);
    for (const [k, cp] of this.#inflight) if (cp.mappingUuid === m) this.#inflight.delete(k);
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  /** Runs `op` after every write queued before it, and before every write queued after it. */
  exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(op);
    this.#chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Writes everything pending now. Rejects with StateStoreError when the write failed (the data stays pending). */
  flush(): Promise<void> {
    this.#clearTimer();
    return this.exclusive(async () => {
      if (this.#pending.size === 0) return;
      const batch = this.#pending;
      this.#pending = new Map();
      this.#inflight = batch;
      try {
        await this.#write([...batch.values()]);
        this.#lastError = undefined;
        this.#inflight = new Map();
      } catch (err) {
        this.#inflight = new Map();
        // Put back what was not superseded meanwhile, so nothing is lost; retry on the next flush.
        for (const [k, cp] of batch) if (!this.#pending.has(k)) this.#pending.set(k, cp);
        this.#lastError = err;
        this.#schedule();
        throw err instanceof StateStoreError
          ? err
          : new StateStoreError(`checkpoint flush failed: ${(err as Error)?.message ?? String(err)}`, { cause: err, retriable: true });
      }
    });
  }

  /** Final flush; later puts throw. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#chain;
    this.#closed = true;
    this.#clearTimer();
    if (this.#pending.size > 0) await this.flush();
    else await this.#chain;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(() => {
        // Kept in lastError and retried on the next timer / explicit flush().
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The per-shard batcher: pure state, injected time. It buffers accepted records and says, for a
 * given moment, whether a batch goes now (BatchSize, payload cap, window expiry, flush), when to
 * look again (window deadline), or that nothing can go (no free in-flight slot, every buffered
 * record's key held). It knows nothing of invoking: the pipeline takes batches and completes them.
 */
import type { PolledRecord } from '../sources/source.js';
import { selectBatch, type BufferedRecord } from './batch-assembly.js';
import { KeyLocks } from './key-locks.js';
import { PAYLOAD_LIMIT_BYTES } from './payload-size.js';
import { windowDeadline, type WindowStart } from './window.js';

export interface BatcherOptions {
  /** AWS BatchSize: most records per batch (1..10000). */
  readonly batchSize: number;
  /** Effective batching window in ms (MappingSpec.batchingWindowMs); 0 = send as soon as records are there. */
  readonly windowMs: number;
  readonly windowStart: WindowStart;
  /** EventEnvelope.overheadBytes: the event's size with no records. */
  readonly overheadBytes: number;
  /** Payload cap. Default PAYLOAD_LIMIT_BYTES (6 MB, Lambda's synchronous invoke limit). */
  readonly limitBytes?: number;
  /** Batches in flight at once (ParallelizationFactor, or the queue's concurrency). */
  readonly maxInFlight: number;
  /** Buffer slots examined per selection. Default max(4 * batchSize, 4096). */
  readonly scanLimit?: number;
}

export interface Batch {
  readonly id: number;
  readonly entries: readonly BufferedRecord[];
  readonly records: readonly PolledRecord[];
  /** Exact serialized event size. */
  readonly bytes: number;
  /** A single record that alone exceeds the payload cap: fail it, do not invoke. */
  readonly oversized: boolean;
  /** The batch's partition keys (computed on first access; the batcher locks by key id). */
  readonly keys: ReadonlySet<string>;
}

export type TakeResult =
  | { readonly kind: 'batch'; readonly batch: Batch }
  /** Records wait for their window; look again at `atMs`. */
  | { readonly kind: 'wait'; readonly atMs: number }
  /** Records are buffered but none can go: no free slot or every key is held. */
  | { readonly kind: 'blocked' }
  | { readonly kind: 'empty' };

export class Batcher {
  readonly #o: Required<BatcherOptions>;
  #maxInFlight: number;
  #buffer: BufferedRecord[] = [];
  #head = 0;
  #buffered = 0;
  #bufferedBytes = 0;
  #inFlight = 0;
  #lastCompletedAt: number | undefined;
  #nextId = 1;
  readonly #locks = new KeyLocks();
  /** In-flight batches claimed without holding their keys (maxInFlight was 1), by batch id. */
  readonly #unlocked = new Map<number, readonly BufferedRecord[]>();
  /** Keys are interned (and lockable) once maxInFlight has been above 1. */
  #interned: boolean;

  constructor(o: BatcherOptions) {
    this.#o = {
      ...o,
      limitBytes: o.limitBytes ?? PAYLOAD_LIMIT_BYTES,
      scanLimit: o.scanLimit ?? Math.max(4 * o.batchSize, 4096),
    };
    this.#maxInFlight = Math.max(1, o.maxInFlight);
    this.#interned = this.#maxInFlight > 1;
  }

  /** Records buffered and not yet in a batch. */
  get buffered(): number {
    return this.#buffered;
  }
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }
  get inFlight(): number {
    return this.#inFlight;
  }
  get maxInFlight(): number {
    return this.#maxInFlight;
  }
  setMaxInFlight(n: number): void {
    this.#maxInFlight = Math.max(1, Math.floor(n));
    if (this.#maxInFlight > 1 && !this.#interned) {
      // From now on batches may run side by side: intern the keys of every buffered record.
      this.#interned = true;
      for (let i = this.#head; i < this.#buffer.length; i++) {
        const e = this.#buffer[i]!;
        if (!e.taken) e.keyId = this.#locks.ref(e.record.partitionKey);
      }
      for (const entries of this.#unlocked.values()) for (const e of entries) e.keyId = this.#locks.ref(e.record.partitionKey);
    }
    if (this.#maxInFlight > 1 && this.#unlocked.size > 0) {
      // Other batches may now start beside them: lock the running batches' keys first.
      for (const entries of this.#unlocked.values()) for (const e of entries) this.#locks.hold(e.keyId);
      this.#unlocked.clear();
    }
  }

  add(record: PolledRecord, seq: number, acceptedAt: number): void {
    this.#buffer.push({ record, keyId: this.#interned ? this.#locks.ref(record.partitionKey) : -1, bytes: record.payloadBytes, seq, acceptedAt, taken: false });
    this.#buffered++;
    this.#bufferedBytes += record.payloadBytes;
  }

  /**
   * The next batch to send at `now`, if any. `flush` ignores the window (closing with drain).
   * A returned batch holds an in-flight slot and its keys until `complete(batch)`.
   */
  take(now: number, flush = false): TakeResult {
    this.#skipTaken();
    if (this.#buffered === 0) return { kind: 'empty' };
    if (this.#inFlight >= this.#maxInFlight) return { kind: 'blocked' };
    const sel = selectBatch(this.#buffer, this.#head, {
      batchSize: this.#o.batchSize,
      overheadBytes: this.#o.overheadBytes,
      limitBytes: this.#o.limitBytes,
      scanLimit: this.#o.scanLimit,
      held: this.#locks.size > 0 ? this.#locks.heldTable : undefined,
    });
    if (sel.indices.length === 0) return { kind: 'blocked' };
    const first = this.#buffer[sel.indices[0]!]!;
    if (sel.oversized === undefined && !sel.full && !flush) {
      const at = windowDeadline(this.#o.windowStart, this.#o.windowMs, first.acceptedAt, this.#lastCompletedAt);
      if (now < at) return { kind: 'wait', atMs: at };
    }
    return { kind: 'batch', batch: this.#claim(sel.indices, sel.bytes, sel.oversized !== undefined) };
  }

  /** Frees the batch's slot and keys; the next after-invoke window starts at `now`. */
  complete(batch: Batch, now: number): void {
    const locked = !this.#unlocked.delete(batch.id);
    const locks = this.#locks;
    const entries = batch.entries;
    for (let j = 0; j < entries.length; j++) {
      const id = entries[j]!.keyId;
      if (id < 0) continue;
      if (locked) locks.release(id);
      locks.unref(id);
    }
    this.#inFlight--;
    this.#lastCompletedAt = now;
  }

  /** Removes and returns every buffered (not in-flight) record, in order (abandon). */
  drainBuffer(): BufferedRecord[] {
    const out = this.#buffer.slice(this.#head).filter((e) => !e.taken);
    for (const e of out) if (e.keyId >= 0) this.#locks.unref(e.keyId);
    this.#buffer = [];
    this.#head = 0;
    this.#buffered = 0;
    this.#bufferedBytes = 0;
    return out;
  }

  #claim(indices: readonly number[], bytes: number, oversized: boolean): Batch {
    const entries: BufferedRecord[] = new Array(indices.length);
    const records: PolledRecord[] = new Array(indices.length);
    // Alone under maxInFlight 1, no other batch can start while this one runs: skip key locking
    // (setMaxInFlight locks the keys if the limit is raised meanwhile).
    const lock = this.#maxInFlight > 1 || this.#inFlight > 0;
    let payload = 0;
    for (let j = 0; j < indices.length; j++) {
      const e = this.#buffer[indices[j]!]!;
      e.taken = true;
      entries[j] = e;
      records[j] = e.record;
      if (lock) this.#locks.hold(e.keyId);
      payload += e.bytes;
    }
    this.#buffered -= indices.length;
    this.#bufferedBytes -= payload;
    const id = this.#nextId++;
    if (!lock) this.#unlocked.set(id, entries);
    this.#inFlight++;
    this.#skipTaken();
    return makeBatch(id, entries, records, bytes, oversized);
  }

  #skipTaken(): void {
    const buf = this.#buffer;
    while (this.#head < buf.length && buf[this.#head]!.taken) this.#head++;
    if (this.#head === buf.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head >= 4096 && this.#head * 2 >= buf.length) {
      this.#buffer = buf.slice(this.#head);
      this.#head = 0;
    }
  }
}

function makeBatch(id: number, entries: readonly BufferedRecord[], records: readonly PolledRecord[], bytes: number, oversized: boolean): Batch {
  return new ClaimedBatch(id, entries, records, bytes, oversized);
}

/** A Batch whose key set is built only when asked for (the batcher locks by key id). */
class ClaimedBatch implements Batch {
  #keys: Set<string> | undefined;
  constructor(
    readonly id: number,
    readonly entries: readonly BufferedRecord[],
    readonly records: readonly PolledRecord[],
    readonly bytes: number,
    readonly oversized: boolean,
  ) {}

  get keys(): ReadonlySet<string> {
    if (!this.#keys) {
      this.#keys = new Set();
      for (const r of this.records) this.#keys.add(r.partitionKey);
    }
    return this.#keys;
  }
}

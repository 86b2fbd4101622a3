/**
 * The per-shard batcher: pure state, injected time. It buffers accepted records and says, for a
 * given moment, whether a batch goes now (BatchSize, payload cap, window expiry, flush), when to
 * look again (window deadline), or that nothing can go (no free in-flight slot, every buffered
 * record's key held). It knows nothing of invoking: the pipeline takes batches and completes them.
 */
import type { PolledRecord } from '../sources/source.js';
import { selectBatch } from './batch-assembly.js';
import { RecordBuffer } from './record-buffer.js';
import { KeyLocks } from './key-locks.js';
import { PAYLOAD_LIMIT_BYTES, prefixBytes } from './payload-size.js';
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
  readonly records: readonly PolledRecord[];
  /** Each record's position in the shard (checkpoint tracker sequence; queues: acceptance order). */
  readonly seqs: readonly number[];
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
  readonly #buf = new RecordBuffer();
  #buffered = 0;
  #bufferedBytes = 0;
  #inFlight = 0;
  #lastCompletedAt: number | undefined;
  #nextId = 1;
  readonly #locks = new KeyLocks();
  readonly #ref = (r: PolledRecord): number => this.#locks.ref(r.partitionKey);
  /** In-flight batches claimed without holding their keys (maxInFlight was 1), by batch id. */
  readonly #unlocked = new Map<number, ClaimedBatch>();
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
      // From now on batches may run side by side: intern the keys of every buffered record and
      // of the batches already running.
      this.#interned = true;
      this.#buf.intern(this.#ref);
      for (const b of this.#unlocked.values()) b.keyIds = b.records.map(this.#ref);
    }
    if (this.#maxInFlight > 1 && this.#unlocked.size > 0) {
      // Other batches may now start beside them: lock the running batches' keys first.
      for (const b of this.#unlocked.values()) {
        for (const id of b.keyIds ?? []) this.#locks.hold(id);
        b.locked = true;
      }
      this.#unlocked.clear();
    }
  }

  add(record: PolledRecord, seq: number, acceptedAt: number): void {
    this.addRun([record], seq, acceptedAt);
  }

  /**
   * `add` for a run of records whose sequence numbers are `firstSeq`, `firstSeq + 1`, ...
   * `cum`: the records' running byte totals (prefixBytes), when the caller has them already —
   * of `records` itself, or of a larger array `records` starts at index `off` of. Returns the
   * records' payload bytes.
   */
  addRun(records: readonly PolledRecord[], firstSeq: number, acceptedAt: number, cum: Float64Array = prefixBytes(records), off = 0): number {
    const n = records.length;
    this.#buf.append(records, firstSeq, acceptedAt, cum, off, this.#interned ? this.#ref : undefined);
    const bytes = n === 0 ? 0 : cum[off + n]! - cum[off]!;
    this.#buffered += n;
    this.#bufferedBytes += bytes;
    return bytes;
  }

  /**
   * The next batch to send at `now`, if any. `flush` ignores the window (closing with drain).
   * A returned batch holds an in-flight slot and its keys until `complete(batch)`.
   */
  take(now: number, flush = false): TakeResult {
    if (this.#buffered === 0) return { kind: 'empty' };
    if (this.#inFlight >= this.#maxInFlight) return { kind: 'blocked' };
    const buf = this.#buf;
    const sel = selectBatch(buf, buf.head, {
      batchSize: this.#o.batchSize,
      overheadBytes: this.#o.overheadBytes,
      limitBytes: this.#o.limitBytes,
      scanLimit: this.#o.scanLimit,
      held: this.#locks.size > 0 ? this.#locks.heldTable : undefined,
      takenAhead: buf.takenAhead,
    });
    if (sel.count === 0) return { kind: 'blocked' };
    if (sel.oversized === undefined && !sel.full && !flush) {
      const first = sel.indices ? sel.indices[0]! : buf.head;
      const at = windowDeadline(this.#o.windowStart, this.#o.windowMs, buf.acceptedAt(first), this.#lastCompletedAt);
      if (now < at) return { kind: 'wait', atMs: at };
    }
    return { kind: 'batch', batch: this.#claim(sel.indices, sel.count, sel.bytes, sel.oversized !== undefined) };
  }

  /** Frees the batch's slot and keys; the next after-invoke window starts at `now`. */
  complete(batch: Batch, now: number): void {
    if (!(batch instanceof ClaimedBatch)) throw new TypeError('Batcher.complete: not a batch of this batcher');
    if (!batch.locked) this.#unlocked.delete(batch.id);
    const ids = batch.keyIds;
    if (ids) {
      const locks = this.#locks;
      for (let j = 0; j < ids.length; j++) {
        const id = ids[j]!;
        if (id < 0) continue;
        if (batch.locked) locks.release(id);
        locks.unref(id);
      }
    }
    this.#inFlight--;
    this.#lastCompletedAt = now;
  }

  /** Removes and returns every buffered (not in-flight) record, in order (abandon). */
  drainBuffer(): PolledRecord[] {
    const { records, keyIds } = this.#buf.drain();
    if (this.#interned) for (const id of keyIds) if (id >= 0) this.#locks.unref(id);
    this.#buffered = 0;
    this.#bufferedBytes = 0;
    return records;
  }

  #claim(indices: readonly number[] | undefined, count: number, bytes: number, oversized: boolean): ClaimedBatch {
    const buf = this.#buf;
    let records: PolledRecord[];
    let seqs: number[];
    let keyIds: number[] | undefined;
    if (indices === undefined) {
      // The contiguous run from head: copied out with slices.
      const a = buf.head;
      const b = a + count;
      records = buf.recordsOfRun(a, b);
      seqs = buf.seqsOfRun(a, b);
      if (this.#interned) keyIds = buf.keyIds.slice(a, b);
      buf.claimRun(count);
    } else {
      records = new Array<PolledRecord>(count);
      if (this.#interned) keyIds = new Array<number>(count);
      for (let j = 0; j < count; j++) {
        const i = indices[j]!;
        records[j] = buf.recordAt(i);
        if (keyIds) keyIds[j] = buf.keyIds[i]!;
      }
      seqs = buf.seqsOf(indices);
      buf.claimSlots(indices);
    }
    // The selection's size is the envelope, the records and a comma between each two.
    const payload = bytes - this.#o.overheadBytes - Math.max(0, count - 1);
    // Alone under maxInFlight 1, no other batch can start while this one runs: skip key locking
    // (setMaxInFlight locks the keys if the limit is raised meanwhile).
    const lock = this.#maxInFlight > 1 || this.#inFlight > 0;
    if (lock && keyIds) for (let j = 0; j < keyIds.length; j++) this.#locks.hold(keyIds[j]!);
    this.#buffered -= count;
    this.#bufferedBytes -= payload;
    const batch = new ClaimedBatch(this.#nextId++, records, seqs, bytes, oversized, keyIds, lock);
    if (!lock) this.#unlocked.set(batch.id, batch);
    this.#inFlight++;
    return batch;
  }
}

/** A claimed batch; its key set is built only when asked for (the batcher locks by key id). */
class ClaimedBatch implements Batch {
  #keys: Set<string> | undefined;
  constructor(
    readonly id: number,
    readonly records: readonly PolledRecord[],
    readonly seqs: readonly number[],
    readonly bytes: number,
    readonly oversized: boolean,
    /** The records' key ids (undefined while keys are not interned). */
    public keyIds: readonly number[] | undefined,
    /** True when the batch holds its keys in the lock table. */
    public locked: boolean,
  ) {}

  get keys(): ReadonlySet<string> {
    if (!this.#keys) {
      this.#keys = new Set();
      for (const r of this.records) this.#keys.add(r.partitionKey);
    }
    return this.#keys;
  }
}

/**
 * Contiguous checkpoint arithmetic for ordered shards. Records are registered in shard order and
 * finish in any order (parallel batches, filtered records, bisected halves); the checkpoint may
 * only cover the contiguous prefix of finished records, never a record after an unfinished one.
 *
 * Registering a poll appends its array as a run (runs.ts), with its records' running weight
 * totals, and grows a byte array of finished flags; passing a run's records weighs them with one
 * subtraction.
 */
import { Runs } from './runs.js';

export interface Advance<R> {
  /** Last record of the newly contiguous finished prefix: what to checkpoint. */
  readonly last: R;
  /** How many records the prefix grew by. */
  readonly count: number;
  /** Sum of their weights (payload bytes), for backpressure accounting. */
  readonly weight: number;
}

export class CheckpointTracker<R> {
  readonly #weightOf: (record: R) => number;
  /** Registered records as runs (runs.ts: each addRun's array, kept as it is), each with its running weight totals. */
  readonly #runs = new Runs<R, Float64Array>();
  /** Finished flags by index (capacity grows by doubling). */
  #done = new Uint8Array(1024);
  #head = 0;
  /** Sequence number of index `#head`. */
  #base = 0;

  /** `weightOf`: a record's weight (payload bytes) for `Advance.weight`. Default 0. */
  constructor(weightOf: (record: R) => number = () => 0) {
    this.#weightOf = weightOf;
  }

  /** Registers the next record of the shard; returns its sequence number. */
  add(record: R): number {
    return this.addRun([record]);
  }

  /**
   * Registers the shard's next records in order (the array is kept: the caller must not change
   * it afterwards); returns the first one's sequence number. `cum`: the records' running weight
   * totals (`cum[i + 1] - cum[i]` is record i's weight), when the caller has them; otherwise they
   * are computed with `weightOf`.
   */
  addRun(records: readonly R[], cum?: Float64Array): number {
    const first = this.nextSeq;
    const n = records.length;
    if (n === 0) return first;
    const need = this.#runs.length + n;
    if (need > this.#done.length) {
      let cap = this.#done.length * 2;
      while (cap < need) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.#done.subarray(0, this.#runs.length));
      this.#done = grown;
    }
    this.#runs.push(records, cum ?? this.#totals(records));
    return first;
  }

  /** Marks one record finished. Finishing twice or a record already passed is a no-op. */
  finish(seq: number): void {
    const i = seq - this.#base + this.#head;
    if (i < this.#head || i >= this.#runs.length) return;
    this.#done[i] = 1;
  }

  /** `finish` for each sequence number of `seqs`. */
  finishAll(seqs: readonly number[]): void {
    const off = this.#head - this.#base;
    const done = this.#done;
    const head = this.#head;
    const len = this.#runs.length;
    for (let j = 0; j < seqs.length; j++) {
      const i = seqs[j]! + off;
      if (i >= head && i < len) done[i] = 1;
    }
  }

  /** Records registered and not yet passed by the prefix. */
  get size(): number {
    return this.#runs.length - this.#head;
  }

  /** Sequence number the next `add` returns. */
  get nextSeq(): number {
    return this.#base + this.#runs.length - this.#head;
  }

  /**
   * Moves the prefix over every finished record at its front. Returns the last record passed,
   * or undefined when the first unfinished record is still the same. Coalesces: after several
   * finishes, one call gives the latest record.
   */
  advance(): Advance<R> | undefined {
    const start = this.#head;
    const done = this.#done;
    const len = this.#runs.length;
    let i = start;
    while (i < len && done[i] === 1) i++;
    if (i === start) return undefined;
    // Weigh the passed records run by run; the last one is the checkpoint.
    const runs = this.#runs;
    let weight = 0;
    let last: R | undefined;
    for (let j = start; j < i; ) {
      const r = runs.runOf(j);
      const run = runs.itemsOf(r);
      const rs = runs.startOf(r);
      const cum = runs.metaOf(r);
      const end = Math.min(i, rs + run.length);
      weight += cum[end - rs]! - cum[j - rs]!;
      last = run[end - 1 - rs];
      j = end;
    }
    this.#head = i;
    this.#base += i - start;
    this.#compact();
    return { last: last as R, count: i - start, weight };
  }

  #totals(records: readonly R[]): Float64Array {
    const out = new Float64Array(records.length + 1);
    for (let i = 0; i < records.length; i++) out[i + 1] = out[i]! + this.#weightOf(records[i]!);
    return out;
  }

  #compact(): void {
    const len = this.#runs.length;
    if (this.#head === len) {
      this.#done.fill(0, 0, len);
      this.#runs.clear();
      this.#head = 0;
      return;
    }
    if (this.#head < 1024 || this.#head * 2 < len) return;
    // Drop the runs wholly before the head; indices shift down by the first kept run's start.
    const d = this.#runs.dropBefore(this.#head);
    if (d === 0) return;
    this.#done.copyWithin(0, d, len);
    this.#done.fill(0, len - d, len);
    this.#head -= d;
  }
}

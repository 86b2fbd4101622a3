/**
 * Contiguous checkpoint arithmetic for ordered shards. Records are registered in shard order and
 * finish in any order (parallel batches, filtered records, bisected halves); the checkpoint may
 * only cover the contiguous prefix of finished records, never a record after an unfinished one.
 *
 * Registering a poll is one bulk append (records) plus growing a byte array of finished flags;
 * each record's weight is read only when the prefix passes it.
 */
export interface Advance<R> {
  /** Last record of the newly contiguous finished prefix: what to checkpoint. */
  readonly last: R;
  /** How many records the prefix grew by. */
  readonly count: number;
  /** Sum of their weights (payload bytes), for backpressure accounting. */
  readonly weight: number;
}

/** Most records pushed through one spread call. */
const APPEND_STEP = 4096;

export class CheckpointTracker<R> {
  readonly #weightOf: (record: R) => number;
  #items: (R | undefined)[] = [];
  /** Finished flags, index-aligned with #items (capacity grows by doubling). */
  #done = new Uint8Array(1024);
  #head = 0;
  /** Sequence number of `#items[#head]`. */
  #base = 0;

  /** `weightOf`: a record's weight (payload bytes) for `Advance.weight`. Default 0. */
  constructor(weightOf: (record: R) => number = () => 0) {
    this.#weightOf = weightOf;
  }

  /** Registers the next record of the shard; returns its sequence number. */
  add(record: R): number {
    return this.addRun([record]);
  }

  /** Registers the shard's next records in order; returns the first one's sequence number. */
  addRun(records: readonly R[]): number {
    const first = this.nextSeq;
    const n = records.length;
    if (n === 0) return first;
    const need = this.#items.length + n;
    if (need > this.#done.length) {
      let cap = this.#done.length * 2;
      while (cap < need) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.#done.subarray(0, this.#items.length));
      this.#done = grown;
    }
    for (let i = 0; i < n; i += APPEND_STEP) this.#items.push(...(n <= APPEND_STEP ? records : records.slice(i, i + APPEND_STEP)));
    return first;
  }

  /** Marks one record finished. Finishing twice or a record already passed is a no-op. */
  finish(seq: number): void {
    const i = seq - this.#base + this.#head;
    if (i < this.#head || i >= this.#items.length) return;
    this.#done[i] = 1;
  }

  /** `finish` for each sequence number of `seqs`. */
  finishAll(seqs: readonly number[]): void {
    const off = this.#head - this.#base;
    const done = this.#done;
    const head = this.#head;
    const len = this.#items.length;
    for (let j = 0; j < seqs.length; j++) {
      const i = seqs[j]! + off;
      if (i >= head && i < len) done[i] = 1;
    }
  }

  /** Records registered and not yet passed by the prefix. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Sequence number the next `add` returns. */
  get nextSeq(): number {
    return this.#base + this.#items.length - this.#head;
  }

  /**
   * Moves the prefix over every finished record at its front. Returns the last record passed,
   * or undefined when the first unfinished record is still the same. Coalesces: after several
   * finishes, one call gives the latest record.
   */
  advance(): Advance<R> | undefined {
    const start = this.#head;
    const done = this.#done;
    const items = this.#items;
    const len = items.length;
    let i = start;
    let weight = 0;
    let last: R | undefined;
    while (i < len && done[i] === 1) {
      last = items[i] as R;
      weight += this.#weightOf(last);
      items[i] = undefined;
      i++;
    }
    if (i === start) return undefined;
    this.#head = i;
    this.#base += i - start;
    this.#compact();
    return { last: last as R, count: i - start, weight };
  }

  #compact(): void {
    const len = this.#items.length;
    if (this.#head === len) {
      this.#items = [];
      this.#done.fill(0, 0, len);
      this.#head = 0;
      return;
    }
    if (this.#head < 1024 || this.#head * 2 < len) return;
    const h = this.#head;
    this.#items = this.#items.slice(h);
    this.#done.copyWithin(0, h, len);
    this.#done.fill(0, len - h, len);
    this.#head = 0;
  }
}

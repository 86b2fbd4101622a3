/**
 * Contiguous checkpoint arithmetic for ordered shards. Records are registered in shard order and
 * finish in any order (parallel batches, filtered records, bisected halves); the checkpoint may
 * only cover the contiguous prefix of finished records, never a record after an unfinished one.
 */
export interface Advance<R> {
  /** Last record of the newly contiguous finished prefix: what to checkpoint. */
  readonly last: R;
  /** How many records the prefix grew by. */
  readonly count: number;
  /** Sum of their weights (payload bytes), for backpressure accounting. */
  readonly weight: number;
}

export class CheckpointTracker<R> {
  #items: (R | undefined)[] = [];
  #weights: number[] = [];
  #done: boolean[] = [];
  #head = 0;
  /** Sequence number of `#items[#head]`. */
  #base = 0;

  /** Registers the next record of the shard; returns its sequence number. */
  add(record: R, weight = 0): number {
    this.#items.push(record);
    this.#weights.push(weight);
    this.#done.push(false);
    return this.#base + this.#items.length - this.#head - 1;
  }

  /** Marks one record finished. Finishing twice or a record already passed is a no-op. */
  finish(seq: number): void {
    const i = seq - this.#base + this.#head;
    if (i < this.#head || i >= this.#done.length) return;
    this.#done[i] = true;
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
    let i = start;
    let weight = 0;
    while (i < this.#done.length && this.#done[i] === true) {
      weight += this.#weights[i] ?? 0;
      i++;
    }
    if (i === start) return undefined;
    const last = this.#items[i - 1] as R;
    for (let j = start; j < i; j++) this.#items[j] = undefined;
    this.#head = i;
    this.#base += i - start;
    this.#compact();
    return { last, count: i - start, weight };
  }

  #compact(): void {
    if (this.#head < 1024 || this.#head * 2 < this.#items.length) return;
    this.#items = this.#items.slice(this.#head);
    this.#weights = this.#weights.slice(this.#head);
    this.#done = this.#done.slice(this.#head);
    this.#head = 0;
  }
}

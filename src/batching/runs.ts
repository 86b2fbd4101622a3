/**
 * Arrays ("runs") appended in order and addressed as one sequence of slots: slot i is an item of
 * the run that starts at or before i. The arrays are kept as given (not copied), each with an
 * optional piece of data of its own. Lookups remember the run last found, so visiting slots in
 * increasing order costs O(1) each. The batcher's buffer and the checkpoint tracker keep a shard's
 * polls this way (one run per poll: no work per record when a poll arrives).
 */
export class Runs<T, M = undefined> {
  #items: (readonly T[])[] = [];
  #start: number[] = [];
  #meta: (M | undefined)[] = [];
  /** Run of the last slot looked up. */
  #cursor = 0;
  #length = 0;

  /** Slots in all runs. */
  get length(): number {
    return this.#length;
  }

  /** Appends a run (an empty one is ignored); returns its first slot. */
  push(items: readonly T[], meta?: M): number {
    const first = this.#length;
    if (items.length === 0) return first;
    this.#items.push(items);
    this.#start.push(first);
    this.#meta.push(meta);
    this.#length += items.length;
    return first;
  }

  /** Index of the run holding `slot`. */
  runOf(slot: number): number {
    const starts = this.#start;
    let c = this.#cursor;
    if (c < starts.length && starts[c]! <= slot) {
      // Forward from the last lookup: usually the same run or the next one.
      while (c + 1 < starts.length && starts[c + 1]! <= slot) c++;
    } else {
      let hi = starts.length - 1;
      c = 0;
      while (c < hi) {
        const mid = (c + hi + 1) >> 1;
        if (starts[mid]! <= slot) c = mid;
        else hi = mid - 1;
      }
    }
    this.#cursor = c;
    return c;
  }

  /** First slot of run `r`. */
  startOf(r: number): number {
    return this.#start[r]!;
  }
  itemsOf(r: number): readonly T[] {
    return this.#items[r]!;
  }
  metaOf(r: number): M {
    return this.#meta[r] as M;
  }

  /** The item in `slot`. */
  at(slot: number): T {
    const r = this.runOf(slot);
    return this.#items[r]![slot - this.#start[r]!]!;
  }

  /** The items of slots [a, b) as a new array (one slice when they lie in one run). */
  slice(a: number, b: number): T[] {
    const r = this.runOf(a);
    const start = this.#start[r]!;
    const run = this.#items[r]!;
    if (b - start <= run.length) return run.slice(a - start, b - start);
    const out = new Array<T>(b - a);
    for (let s = a; s < b; s++) out[s - a] = this.at(s);
    return out;
  }

  /**
   * Drops the runs that lie wholly before `slot`; returns how many slots went with them (every
   * remaining slot number goes down by that much).
   */
  dropBefore(slot: number): number {
    const r = this.runOf(slot);
    const d = this.#start[r]!;
    if (r === 0 || d === 0) return 0;
    this.#items = this.#items.slice(r);
    this.#start = this.#start.slice(r).map((s) => s - d);
    this.#meta = this.#meta.slice(r);
    this.#cursor = 0;
    this.#length -= d;
    return d;
  }

  clear(): void {
    this.#items = [];
    this.#start = [];
    this.#meta = [];
    this.#cursor = 0;
    this.#length = 0;
  }
}

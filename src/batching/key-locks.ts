/**
 * Per-key ordering under ParallelizationFactor > 1: a partition key held by an in-flight batch
 * may not appear in another batch until that batch finishes, so each key's records are invoked
 * one batch after another, in order.
 *
 * Keys are interned to small integer ids when a record is buffered (one Map lookup per record);
 * every later check (batch assembly scanning past held keys, claiming, releasing) is an array
 * access on the id, not a string hash. An id counts the records (buffered or in flight) that use
 * it. When that count drops to zero the id stays with its key, so a key that comes back (the
 * common case: a stream's keys recur) costs no Map insert and delete; once the table has grown to
 * twice the keys in use (and at least `minSweep` entries) the ids without records are freed, so
 * the table stays bounded by the keys pending.
 */
export class KeyLocks {
  readonly #ids = new Map<string, number>();
  /** Per id: records (buffered or in flight) using it. */
  readonly #refs: number[] = [];
  /** Per id: 1 while an in-flight batch holds the key. */
  readonly #held: number[] = [];
  readonly #keyOf: string[] = [];
  readonly #free: number[] = [];
  readonly #minSweep: number;
  #sweepAt: number;
  /** Ids with at least one record. */
  #live = 0;
  #heldCount = 0;

  /** `minSweep`: the table is never swept below this many entries (default 4096). */
  constructor(minSweep = 4096) {
    this.#minSweep = Math.max(1, minSweep);
    this.#sweepAt = this.#minSweep;
  }

  /** Interns `key` for one more record; returns its id. Pair with `unref(id)`. */
  ref(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      if (this.#ids.size >= this.#sweepAt) this.#sweep();
      id = this.#free.pop() ?? this.#refs.length;
      this.#ids.set(key, id);
      this.#refs[id] = 0;
      this.#held[id] = 0;
      this.#keyOf[id] = key;
    }
    if (this.#refs[id]!++ === 0) this.#live++;
    return id;
  }

  /** One record using `id` is gone (finished or drained); a key with no record left is not held. */
  unref(id: number): void {
    const n = this.#refs[id]! - 1;
    this.#refs[id] = n;
    if (n > 0) return;
    this.#live--;
    if (this.#held[id] === 1) {
      this.#held[id] = 0;
      this.#heldCount--;
    }
  }

  /** Frees the ids no record uses; the next sweep waits until the table doubles again. */
  #sweep(): void {
    for (const [key, id] of this.#ids) {
      if (this.#refs[id] !== 0) continue;
      this.#ids.delete(key);
      this.#keyOf[id] = '';
      this.#free.push(id);
    }
    this.#sweepAt = Math.max(this.#minSweep, 2 * this.#ids.size);
  }

  isHeld(id: number): boolean {
    return this.#held[id] === 1;
  }

  /** The held flags by id (1 = held); valid until the next `ref`. For tight scans. */
  get heldTable(): readonly number[] {
    return this.#held;
  }

  /** Takes the key of `id` for a batch. Holding a key the same batch already holds is a no-op. */
  hold(id: number): void {
    if (this.#held[id] === 1) return;
    this.#held[id] = 1;
    this.#heldCount++;
  }

  release(id: number): void {
    if (this.#held[id] !== 1) return;
    this.#held[id] = 0;
    this.#heldCount--;
  }

  /** Keys held now. */
  get size(): number {
    return this.#heldCount;
  }

  /** Keys that buffered or in-flight records use now. */
  get interned(): number {
    return this.#live;
  }

  /** Entries in the key table (keys in use plus keys kept until the next sweep). */
  get tableSize(): number {
    return this.#ids.size;
  }
}

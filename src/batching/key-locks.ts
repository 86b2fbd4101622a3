/**
 * Per-key ordering under ParallelizationFactor > 1: a partition key held by an in-flight batch
 * may not appear in another batch until that batch finishes, so each key's records are invoked
 * one batch after another, in order.
 *
 * Keys are interned to small integer ids when a record is buffered (one Map lookup per record);
 * every later check (batch assembly scanning past held keys, claiming, releasing) is an array
 * access on the id, not a string hash. An id lives while buffered or in-flight records use it
 * (reference count) and is then recycled, so the table stays bounded by the keys pending.
 */
export class KeyLocks {
  readonly #ids = new Map<string, number>();
  /** Per id: records (buffered or in flight) using it. */
  readonly #refs: number[] = [];
  /** Per id: 1 while an in-flight batch holds the key. */
  readonly #held: number[] = [];
  readonly #keyOf: string[] = [];
  readonly #free: number[] = [];
  #heldCount = 0;

  /** Interns `key` for one more record; returns its id. Pair with `unref(id)`. */
  ref(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#free.pop() ?? this.#refs.length;
      this.#ids.set(key, id);
      this.#refs[id] = 0;
      this.#held[id] = 0;
      this.#keyOf[id] = key;
    }
    this.#refs[id]!++;
    return id;
  }

  /** One record using `id` is gone (finished or drained); the id is recycled at zero. */
  unref(id: number): void {
    const n = this.#refs[id]! - 1;
    this.#refs[id] = n;
    if (n > 0) return;
    if (this.#held[id] === 1) {
      this.#held[id] = 0;
      this.#heldCount--;
    }
    this.#ids.delete(this.#keyOf[id]!);
    this.#keyOf[id] = '';
    this.#free.push(id);
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

  /** Keys interned now (buffered or in-flight records). */
  get interned(): number {
    return this.#ids.size;
  }
}

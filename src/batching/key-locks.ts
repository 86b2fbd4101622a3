/**
 * Per-key ordering under ParallelizationFactor > 1: a partition key held by an in-flight batch
 * may not appear in another batch until that batch finishes, so each key's records are invoked
 * one batch after another, in order.
 */
export class KeyLocks {
  readonly #held = new Set<string>();

  isHeld(key: string): boolean {
    return this.#held.has(key);
  }

  /** Takes every key of a batch. The caller guarantees none is held (batch assembly checks). */
  acquire(keys: Iterable<string>): void {
    for (const k of keys) this.#held.add(k);
  }

  release(keys: Iterable<string>): void {
    for (const k of keys) this.#held.delete(k);
  }

  get size(): number {
    return this.#held.size;
  }
}

/**
 * The open shards of one consumer, and how they end when the group rebalances.
 *
 * The Kafka source reads ahead: kafkajs keeps fetching a partition while earlier records of it are
 * still buffered or being invoked (the shard's bounded buffer is the only backpressure). kafkajs
 * 2.2.4 has no revoke callback, and after any (re)join it restarts every assigned partition from
 * its committed offset. So no shard outlives the group generation it was opened in:
 *
 * - `revoke(deadlineMs)`: a handler saw the group fail (a heartbeat error) and holds — kafkajs
 *   does not rejoin while a handler runs — while every shard drains (and commits) within the
 *   deadline; shards that did not finish are abandoned (nothing more committed) and their
 *   partitions are sought back to the first unfinished offset, so the consumer never reads on
 *   from past records that were not finished, whether or not a rejoin follows.
 * - `abandonAll()`: a rejoin is starting that no handler held (kafkajs emits REBALANCING right
 *   before its JoinGroup, and GROUP_JOIN after any join): every shard still open stops
 *   committing at once, synchronously, and releases its buffered records uncommitted. The new
 *   owner (this member or another) resumes from the committed offset — at least once.
 */
import type { PartitionShard } from './partition-shard.js';

export interface PartitionShardsDeps {
  /** Moves the consumer's fetch position of a partition (kafkajs `consumer.seek`). */
  seek(topic: string, partition: number, offset: bigint): void;
}

export class PartitionShards {
  readonly #open = new Map<string, PartitionShard>();
  readonly #d: PartitionShardsDeps;
  #revoking: Promise<void> | undefined;

  constructor(d: PartitionShardsDeps) {
    this.#d = d;
  }

  get(key: string): PartitionShard | undefined {
    return this.#open.get(key);
  }

  add(s: PartitionShard): void {
    this.#open.set(s.key, s);
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Set while a revoke drains. Handlers wait for it and return without resolving their batch
   * (it is fetched again from the position the revoke leaves): no shard opens meanwhile.
   */
  get revoking(): Promise<void> | undefined {
    return this.#revoking;
  }

  /** Drains every open shard within `deadlineMs`, then abandons what did not finish. Idempotent while running. */
  revoke(deadlineMs: number): Promise<void> {
    return (this.#revoking ??= (async () => {
      try {
        const all = [...this.#open.values()];
        this.#open.clear();
        await Promise.allSettled(all.map((s) => s.close(deadlineMs)));
        for (const s of all) {
          const resume = s.resumeOffset;
          if (resume !== undefined) this.#d.seek(s.topic, s.partition, resume);
        }
      } finally {
        this.#revoking = undefined;
      }
    })());
  }

  /** Ends every open shard now: no more commits from them, buffered records released. Synchronous. */
  abandonAll(): void {
    const all = [...this.#open.values()];
    this.#open.clear();
    for (const s of all) s.abandon();
  }

  /** Closes one shard (drain with the deadline, then abandon), e.g. on stop or after a crash. */
  close(s: PartitionShard, deadlineMs: number): Promise<void> {
    if (this.#open.get(s.key) === s) this.#open.delete(s.key);
    return s.close(deadlineMs);
  }

  /** Closes every open shard with the deadline. */
  closeAll(deadlineMs: number): Promise<PromiseSettledResult<void>[]> {
    return Promise.allSettled([...this.#open.values()].map((s) => this.close(s, deadlineMs)));
  }
}

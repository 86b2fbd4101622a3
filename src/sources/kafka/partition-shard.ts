/**
 * One assigned topic-partition as a pipeline shard. Offsets are committed (offset + 1) only from
 * `checkpoint`, never ahead of it, never backwards, and never after the shard was revoked: once
 * the partition may belong to another member, a late checkpoint is dropped (the records are
 * redelivered to the new owner from the last commit — at least once, never skipped).
 */
import { shardId } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../observability/logger.js';
import type { PolledRecord, ShardCommitter, ShardSink, SourceContext } from '../source.js';
import { kafkaEnvelope, type KafkaEventSource } from './event.js';

export class PartitionShard {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly sink: ShardSink;
  readonly #commit: (offset: bigint) => Promise<void>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #owned = true;
  #committed = -1n;
  /** First and last offset handed to the sink (-1n before the first push). */
  #firstPushed = -1n;
  #lastPushed = -1n;
  #closing: Promise<void> | undefined;
  #onClosed: (() => void)[] = [];

  constructor(o: {
    ctx: SourceContext;
    topic: string;
    partition: number;
    source: KafkaEventSource;
    /** Commits `offset` (the next offset to read) for this partition with the current consumer. */
    commit: (offset: bigint) => Promise<void>;
  }) {
    this.topic = o.topic;
    this.partition = o.partition;
    this.key = `${o.topic}-${o.partition}`;
    this.#commit = o.commit;
    this.#clock = o.ctx.clock;
    this.#logger = o.ctx.logger;
    const committer: ShardCommitter = {
      checkpoint: (last) => this.#checkpoint(last),
      complete: async () => {
        throw new Error('Kafka shards are settled with checkpoint');
      },
      release: async () => {
        throw new Error('Kafka shards are settled with checkpoint');
      },
    };
    this.sink = o.ctx.openShard(shardId(this.key), committer, kafkaEnvelope(this.key, o.source));
  }

  /** False once revoked/closed: checkpoints are no longer committed. */
  get owned(): boolean {
    return this.#owned;
  }

  /** The last committed "next offset", -1n before the first commit by this shard. */
  get committed(): bigint {
    return this.#committed;
  }

  async #checkpoint(last: PolledRecord): Promise<void> {
    if (!this.#owned) {
      this.#logger.debug('checkpoint after revoke dropped', { shardId: this.key, offset: last.id });
      return;
    }
    const next = (typeof last.ref === 'bigint' ? last.ref : BigInt(last.id)) + 1n;
    if (next <= this.#committed) return;
    await this.#commit(next);
    this.#committed = next;
  }

  /** The source hands records `first..last` of this partition to the sink (in order). */
  pushed(first: bigint, last: bigint): void {
    if (this.#firstPushed < 0n) this.#firstPushed = first;
    this.#lastPushed = last;
  }

  /**
   * Where this partition must be read again from after the shard ended: the first offset it
   * did not commit, or undefined when every record handed to it was committed (or none was).
   */
  get resumeOffset(): bigint | undefined {
    if (this.#firstPushed < 0n || this.#committed > this.#lastPushed) return undefined;
    return this.#committed >= 0n ? this.#committed : this.#firstPushed;
  }

  /**
   * Ends the shard now: from this call on nothing more is committed (a checkpoint that arrives
   * later is dropped), buffered records are released, in-flight invokes finish uncommitted.
   */
  abandon(): void {
    this.#owned = false;
    if (!this.#closing) this.#wakeClosed();
    // A drain already in progress is ended by the abandon (the pipeline escalates the close).
    const done = this.sink.close({ mode: 'abandon' }).catch(() => undefined);
    this.#closing ??= done;
  }

  #wakeClosed(): void {
    const waiters = this.#onClosed;
    this.#onClosed = [];
    for (const w of waiters) w();
  }

  /** Resolves when the shard is closed (revoked, stopped, or the consumer crashed). */
  whenClosed(): Promise<void> {
    if (this.#closing) return this.#closing;
    return new Promise((resolve) => this.#onClosed.push(resolve));
  }

  /**
   * Gives the partition up: in-flight and buffered records get `deadlineMs` to finish (and
   * commit); after that the shard is abandoned and nothing more is committed. Idempotent.
   */
  close(deadlineMs: number): Promise<void> {
    return (this.#closing ??= (async () => {
      this.#wakeClosed();
      let cancel: (() => void) | undefined;
      const ac = new AbortController();
      const timedOut = new Promise<'timeout'>((resolve) => {
        cancel = this.#clock.setTimer(() => {
          ac.abort();
          resolve('timeout');
        }, deadlineMs);
      });
      try {
        const drained = (async () => {
          await this.sink.close({ mode: 'drain', signal: ac.signal });
          await this.sink.drained(ac.signal);
          return 'drained' as const;
        })().catch(() => 'timeout' as const);
        const how = await Promise.race([drained, timedOut]);
        if (how === 'timeout') {
          this.#owned = false;
          this.#logger.warn('partition revoked before its records finished; they will be redelivered uncommitted', { shardId: this.key });
          await this.sink.close({ mode: 'abandon' }).catch(() => undefined);
        }
      } finally {
        cancel?.();
        this.#owned = false;
      }
    })());
  }
}

/**
 * A stream shard's ShardCommitter: persists the position of the last finished record and the
 * shard's status through the CheckpointStore (which coalesces writes). Writes of one shard are
 * applied in call order; each write carries the newest position and status.
 *
 * Status: `open` while reading; `closed` once the end of a closed shard was read (records may
 * still be in flight); `finished` once every record of the closed shard is checkpointed — only
 * then may its children start.
 */
import type { Clock } from '../../core/clock.js';
import type { MappingUuid, ShardId } from '../../core/ids.js';
import { SourceError } from '../../core/errors.js';
import type { CheckpointStore, ShardCheckpoint, ShardStatus } from '../../state/store.js';
import type { PolledRecord, ShardCommitter } from '../source.js';

export interface ShardCheckpointerDeps {
  readonly store: CheckpointStore;
  readonly mapping: MappingUuid;
  readonly shard: ShardId;
  readonly clock: Clock;
  /** The stored checkpoint when the shard was last seen, if any. */
  readonly initial?: ShardCheckpoint;
}

export class ShardCheckpointer implements ShardCommitter {
  readonly #d: ShardCheckpointerDeps;
  #position: string | null;
  #status: ShardStatus;
  #windowState: string | null;
  #updatedAt: number;
  #chain: Promise<void> = Promise.resolve();
  #stored: boolean;

  constructor(d: ShardCheckpointerDeps) {
    this.#d = d;
    this.#position = d.initial?.position ?? null;
    this.#status = d.initial?.status ?? 'open';
    this.#windowState = d.initial?.windowState ?? null;
    this.#updatedAt = d.initial?.updatedAt ?? 0;
    this.#stored = d.initial !== undefined;
  }

  /** Id of the last finished record (null before the first). */
  get position(): string | null {
    return this.#position;
  }
  get status(): ShardStatus {
    return this.#status;
  }
  /** The checkpoint as last stored (or being stored), undefined when none exists. */
  get snapshot(): ShardCheckpoint | undefined {
    if (!this.#stored) return undefined;
    return {
      mappingUuid: this.#d.mapping,
      shardId: this.#d.shard,
      position: this.#position,
      status: this.#status,
      windowState: this.#windowState,
      updatedAt: this.#updatedAt,
    };
  }

  /**
   * Every record up to and including `last` is finished. `extra.windowState` (optional, for the
   * tumbling-window pipeline) replaces the stored window state; omitted, it is kept.
   */
  checkpoint(last: PolledRecord, extra?: { windowState?: string | null }): Promise<void> {
    this.#position = last.id;
    if (extra && extra.windowState !== undefined) this.#windowState = extra.windowState;
    return this.#write();
  }

  /** Stream shards are ordered: there is nothing to complete one by one. */
  complete(_records: readonly PolledRecord[]): Promise<void> {
    return Promise.reject(this.#unsupported('complete'));
  }

  /** Stream shards are ordered: a failed record is retried in place, never released. */
  release(_records: readonly PolledRecord[]): Promise<void> {
    return Promise.reject(this.#unsupported('release'));
  }

  /** LATEST marker: reading of this shard begins now (see start-position.ts). */
  markStarted(): Promise<void> {
    return this.#write();
  }

  /** The end of the (closed) shard was read. */
  markClosed(): Promise<void> {
    this.#status = 'closed';
    return this.#write();
  }

  /** Every record of the closed shard is finished: its children may start. */
  markFinished(): Promise<void> {
    this.#status = 'finished';
    return this.#write();
  }

  /** Resolves once every write requested so far is done (never rejects). */
  idle(): Promise<void> {
    return this.#chain.catch(() => undefined);
  }

  #write(): Promise<void> {
    // While no record is finished, updatedAt keeps the time reading began (LATEST marker).
    if (this.#position !== null || this.#updatedAt === 0) this.#updatedAt = this.#d.clock.now();
    this.#stored = true;
    const cp = this.snapshot!;
    // 'checkpointed' is emitted by the shard pipeline once checkpoint() resolves.
    const p = this.#chain.catch(() => undefined).then(() => this.#d.store.put(cp));
    this.#chain = p;
    return p;
  }

  #unsupported(what: string): SourceError {
    return new SourceError(`${what}() is not used by stream shards: they are checkpointed in order`, {
      code: 'UNSUPPORTED_OPERATION',
      retriable: false,
      context: { mappingUuid: this.#d.mapping, shardId: this.#d.shard },
    });
  }
}

import type { MappingUuid, ShardId } from '../core/ids.js';
import type { MappingSpec, MappingState } from '../core/mapping.js';

/** Where a shard stands. `finished`: closed by resharding and every record checkpointed. */
export type ShardStatus = 'open' | 'closed' | 'finished';

export interface ShardCheckpoint {
  readonly mappingUuid: MappingUuid;
  readonly shardId: ShardId;
  /** Last finished record's id (sequence number / offset); null before the first checkpoint. */
  readonly position: string | null;
  readonly status: ShardStatus;
  /** Tumbling-window state (JSON text) with its window start, or null. */
  readonly windowState: string | null;
  readonly updatedAt: number;
}

/**
 * Per mapping and shard positions. `put` may coalesce: the latest value per shard is kept in
 * memory and written in one transaction at most every `flushIntervalMs`; `flush` forces it.
 * Durability: after `flush` resolves the data survives kill -9.
 */
export interface CheckpointStore {
  get(mapping: MappingUuid, shard: ShardId): Promise<ShardCheckpoint | undefined>;
  list(mapping: MappingUuid): Promise<readonly ShardCheckpoint[]>;
  put(cp: ShardCheckpoint): Promise<void>;
  deleteMapping(mapping: MappingUuid): Promise<void>;
  flush(): Promise<void>;
}

/** A mapping as persisted: the spec plus its observed status. */
export interface StoredMapping {
  readonly spec: MappingSpec;
  readonly state: MappingState;
  readonly stateTransitionReason: string;
  readonly lastProcessingResult: string;
}

export interface MappingStore {
  list(): Promise<readonly StoredMapping[]>;
  get(uuid: MappingUuid): Promise<StoredMapping | undefined>;
  put(m: StoredMapping): Promise<void>;
  delete(uuid: MappingUuid): Promise<void>;
}

/** The state store: SQLite (embedded, default) or PostgreSQL (shared by several instances). */
export interface StateStore {
  readonly checkpoints: CheckpointStore;
  readonly mappings: MappingStore;
  /** Flushes pending writes and closes. Idempotent. */
  close(): Promise<void>;
}

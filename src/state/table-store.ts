import type { MappingUuid, ShardId } from '../core/ids.js';
import { StateStoreError } from '../core/errors.js';
import type { CheckpointStore, MappingStore, ShardCheckpoint, StateStore, StoredMapping } from './store.js';
import { CheckpointCoalescer, type CheckpointBatchWriter } from './coalescer.js';
import { checkpointFromRow, storedMappingFromJson, storedMappingToJson, type CheckpointRow } from './serialize.js';

/**
 * What every store shares around its storage: the closed check, checkpoint order, the mapping
 * store over JSON bodies, and (for the durable stores) checkpoints coalesced in front of a table.
 * Each backend supplies only its storage calls (its SQL and its error mapping).
 */

/** Orders checkpoints by shard id (code-unit order, as `ORDER BY shard_id` on a TEXT column). */
export function byShardId(a: ShardCheckpoint, b: ShardCheckpoint): number {
  return a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0;
}

/** Tracks whether a store is closed; `ensureOpen` throws STATE_STORE_CLOSED once it is. */
export interface OpenGuard {
  ensureOpen(): void;
  markClosed(): void;
}

export function openGuard(): OpenGuard {
  let closed = false;
  return {
    ensureOpen() {
      if (closed) throw new StateStoreError('state store is closed', { code: 'STATE_STORE_CLOSED' });
    },
    markClosed() {
      closed = true;
    },
  };
}

/** Stored mappings as JSON bodies keyed by UUID. */
export interface MappingTable {
  /** Every body, ordered by UUID. */
  list(): Promise<readonly string[]>;
  get(uuid: MappingUuid): Promise<string | undefined>;
  /** Inserts or replaces. */
  put(uuid: MappingUuid, body: string): Promise<void>;
  delete(uuid: MappingUuid): Promise<void>;
}

/** A MappingStore over a table of JSON bodies. */
export function mappingStoreOver(table: MappingTable, guard: OpenGuard): MappingStore {
  return {
    async list() {
      guard.ensureOpen();
      return (await table.list()).map(storedMappingFromJson);
    },
    async get(uuid) {
      guard.ensureOpen();
      const body = await table.get(uuid);
      return body === undefined ? undefined : storedMappingFromJson(body);
    },
    async put(m: StoredMapping) {
      guard.ensureOpen();
      await table.put(m.spec.UUID, storedMappingToJson(m));
    },
    async delete(uuid) {
      guard.ensureOpen();
      await table.delete(uuid);
    },
  };
}

/** Stored checkpoint rows (writes go through `writeBatch`). */
export interface CheckpointTable {
  get(m: MappingUuid, s: ShardId): Promise<CheckpointRow | undefined>;
  /** Every row of the mapping, in any order. */
  list(m: MappingUuid): Promise<readonly CheckpointRow[]>;
  deleteMapping(m: MappingUuid): Promise<void>;
  /** Upserts a batch of checkpoints atomically. */
  writeBatch: CheckpointBatchWriter;
}

export interface TableStateStoreOptions {
  checkpoints: CheckpointTable;
  mappings: MappingTable;
  /** Coalesce checkpoint puts and write them at most this often (ms). */
  flushIntervalMs: number;
  /** Releases the connection/database after the last checkpoint write on close. */
  release(): Promise<void> | void;
}

/**
 * A durable StateStore: checkpoint puts are coalesced and written in batches; reads see pending
 * puts first. close() writes what is pending, then releases the storage; it is idempotent.
 */
export function createTableStateStore(o: TableStateStoreOptions): StateStore {
  const table = o.checkpoints;
  const coalescer = new CheckpointCoalescer(table.writeBatch, o.flushIntervalMs);
  const guard = openGuard();
  const checkpoints: CheckpointStore = {
    async get(m: MappingUuid, s: ShardId) {
      guard.ensureOpen();
      const p = coalescer.peek(m, s);
      if (p) return p;
      const row = await table.get(m, s);
      return row ? checkpointFromRow(row) : undefined;
    },
    async list(m) {
      guard.ensureOpen();
      const rows = await table.list(m);
      const byShard = new Map<string, ShardCheckpoint>(rows.map((r) => [r.shard_id, checkpointFromRow(r)]));
      for (const cp of coalescer.pendingFor(m)) byShard.set(cp.shardId, cp);
      return [...byShard.values()].sort(byShardId);
    },
    async put(cp) {
      coalescer.put(Object.freeze({ ...cp }));
    },
    async deleteMapping(m) {
      guard.ensureOpen();
      coalescer.drop(m);
      await coalescer.exclusive(async () => {
        coalescer.drop(m);
        await table.deleteMapping(m);
      });
    },
    async flush() {
      guard.ensureOpen();
      await coalescer.flush();
    },
  };
  let closing: Promise<void> | undefined;
  return {
    checkpoints,
    mappings: mappingStoreOver(o.mappings, guard),
    close() {
      closing ??= (async () => {
        try {
          await coalescer.close();
        } finally {
          guard.markClosed();
          await o.release();
        }
      })();
      return closing;
    },
  };
}

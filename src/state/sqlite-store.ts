import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { MappingUuid, ShardId } from '../core/ids.js';
import { StateStoreError } from '../core/errors.js';
import type { CheckpointStore, MappingStore, ShardCheckpoint, StateStore, StoredMapping } from './store.js';
import { CheckpointCoalescer } from './coalescer.js';
import { checkpointFromRow, storedMappingFromJson, storedMappingToJson, type CheckpointRow } from './serialize.js';

export interface SqliteStoreOptions {
  /** Coalesce checkpoint puts and write them at most this often. Default 200 ms. */
  readonly flushIntervalMs?: number;
  /**
   * `FULL` (default) makes every committed transaction survive power loss; `NORMAL` survives a
   * process kill (kill -9) but may lose the last transactions on power loss.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sluice_checkpoints (
  mapping_uuid TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  position TEXT,
  status TEXT NOT NULL,
  window_state TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (mapping_uuid, shard_id)
);
CREATE TABLE IF NOT EXISTS sluice_mappings (
  uuid TEXT PRIMARY KEY,
  body TEXT NOT NULL
);`;

function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StateStoreError) throw err;
    throw new StateStoreError(`sqlite ${what} failed: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
      retriable: (err as { code?: string })?.code === 'SQLITE_BUSY',
    });
  }
}

/** The embedded state store: one SQLite file in WAL mode. `path` may be `:memory:`. */
export function openSqliteStateStore(path: string, opts: SqliteStoreOptions = {}): StateStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = wrap('open', () => new Database(path));
  wrap('configure', () => {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
  });
  const upsert = db.prepare(
    `INSERT INTO sluice_checkpoints (mapping_uuid, shard_id, position, status, window_state, updated_at)
     VALUES (@mappingUuid, @shardId, @position, @status, @windowState, @updatedAt)
     ON CONFLICT (mapping_uuid, shard_id) DO UPDATE SET position = excluded.position, status = excluded.status,
       window_state = excluded.window_state, updated_at = excluded.updated_at`,
  );
  const writeBatch = db.transaction((batch: readonly ShardCheckpoint[]) => {
    for (const cp of batch) upsert.run(cp);
  });
  const getCp = db.prepare('SELECT * FROM sluice_checkpoints WHERE mapping_uuid = ? AND shard_id = ?');
  const listCp = db.prepare('SELECT * FROM sluice_checkpoints WHERE mapping_uuid = ? ORDER BY shard_id');
  const delCp = db.prepare('DELETE FROM sluice_checkpoints WHERE mapping_uuid = ?');
  const listMap = db.prepare('SELECT body FROM sluice_mappings ORDER BY uuid');
  const getMap = db.prepare('SELECT body FROM sluice_mappings WHERE uuid = ?');
  const putMap = db.prepare('INSERT INTO sluice_mappings (uuid, body) VALUES (?, ?) ON CONFLICT (uuid) DO UPDATE SET body = excluded.body');
  const delMap = db.prepare('DELETE FROM sluice_mappings WHERE uuid = ?');

  const coalescer = new CheckpointCoalescer(async (batch) => wrap('checkpoint write', () => writeBatch(batch)), opts.flushIntervalMs ?? 200);
  let closed = false;
  const open = (): void => {
    if (closed) throw new StateStoreError('state store is closed', { code: 'STATE_STORE_CLOSED' });
  };

  const checkpoints: CheckpointStore = {
    async get(m: MappingUuid, s: ShardId) {
      open();
      const p = coalescer.peek(m, s);
      if (p) return p;
      const row = wrap('read', () => getCp.get(m, s) as CheckpointRow | undefined);
      return row ? checkpointFromRow(row) : undefined;
    },
    async list(m) {
      open();
      const rows = wrap('read', () => listCp.all(m) as CheckpointRow[]);
      const byShard = new Map<string, ShardCheckpoint>(rows.map((r) => [r.shard_id, checkpointFromRow(r)]));
      for (const cp of coalescer.pendingFor(m)) byShard.set(cp.shardId, cp);
      return [...byShard.values()].sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
    },
    async put(cp) {
      coalescer.put(Object.freeze({ ...cp }));
    },
    deleteMapping(m) {
      open();
      coalescer.drop(m);
      return coalescer.exclusive(async () => {
        coalescer.drop(m);
        wrap('delete', () => delCp.run(m));
      });
    },
    async flush() {
      open();
      await coalescer.flush();
    },
  };

  const mappings: MappingStore = {
    async list() {
      open();
      return wrap('read', () => (listMap.all() as { body: string }[]).map((r) => storedMappingFromJson(r.body)));
    },
    async get(uuid) {
      open();
      const row = wrap('read', () => getMap.get(uuid) as { body: string } | undefined);
      return row ? storedMappingFromJson(row.body) : undefined;
    },
    async put(m: StoredMapping) {
      open();
      wrap('write', () => putMap.run(m.spec.UUID, storedMappingToJson(m)));
    },
    async delete(uuid) {
      open();
      wrap('delete', () => delMap.run(uuid));
    },
  };

  let closing: Promise<void> | undefined;
  return {
    checkpoints,
    mappings,
    close() {
      closing ??= (async () => {
        try {
          await coalescer.close();
        } finally {
          closed = true;
          db.close();
        }
      })();
      return closing;
    },
  };
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StateStoreError } from '../core/errors.js';
import type { ShardCheckpoint, StateStore } from './store.js';
import type { CheckpointRow } from './serialize.js';
import { createTableStateStore } from './table-store.js';

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

  return createTableStateStore({
    flushIntervalMs: opts.flushIntervalMs ?? 200,
    checkpoints: {
      writeBatch: async (batch) => wrap('checkpoint write', () => writeBatch(batch)),
      get: async (m, s) => wrap('read', () => getCp.get(m, s) as CheckpointRow | undefined),
      list: async (m) => wrap('read', () => listCp.all(m) as CheckpointRow[]),
      deleteMapping: async (m) => {
        wrap('delete', () => delCp.run(m));
      },
    },
    mappings: {
      list: async () => wrap('read', () => (listMap.all() as { body: string }[]).map((r) => r.body)),
      get: async (uuid) => wrap('read', () => (getMap.get(uuid) as { body: string } | undefined)?.body),
      put: async (uuid, body) => {
        wrap('write', () => putMap.run(uuid, body));
      },
      delete: async (uuid) => {
        wrap('delete', () => delMap.run(uuid));
      },
    },
    release: () => {
      db.close();
    },
  });
}

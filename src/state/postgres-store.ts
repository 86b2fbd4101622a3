import pg from 'pg';
import { StateStoreError } from '../core/errors.js';
import type { ShardCheckpoint, StateStore } from './store.js';
import type { CheckpointRow } from './serialize.js';
import { createTableStateStore } from './table-store.js';

export interface PostgresStoreOptions {
  /** Coalesce checkpoint puts and write them at most this often. Default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Schema holding sluice's tables; created when missing. Default: the connection's search_path (normally `public`). */
  readonly schema?: string;
  /** Pool size. Default 4. */
  readonly maxConnections?: number;
}

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

async function pgCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StateStoreError) throw err;
    const code = (err as { code?: string })?.code;
    // Connection problems and serialization failures are worth retrying; constraint errors are not.
    const retriable = code === undefined || code.startsWith('08') || code === '40001' || code === '40P01' || code === '57P01';
    throw new StateStoreError(`postgres ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err, retriable });
  }
}

/**
 * The shared state store: PostgreSQL, so several sluice instances can share mappings and
 * checkpoints. The schema is created on open. Resolves once the database answered.
 */
export async function openPostgresStateStore(connectionString: string, opts: PostgresStoreOptions = {}): Promise<StateStore> {
  const pool = new pg.Pool({ connectionString, max: opts.maxConnections ?? 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const ns = opts.schema ? `${quoteIdent(opts.schema)}.` : '';
  const T_CP = `${ns}sluice_checkpoints`;
  const T_MAP = `${ns}sluice_mappings`;
  try {
    await pgCall('open', async () => {
      if (opts.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(opts.schema)}`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${T_CP} (
        mapping_uuid TEXT NOT NULL, shard_id TEXT NOT NULL, position TEXT, status TEXT NOT NULL,
        window_state TEXT, updated_at BIGINT NOT NULL, PRIMARY KEY (mapping_uuid, shard_id))`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${T_MAP} (uuid TEXT PRIMARY KEY, body TEXT NOT NULL)`);
    });
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  const writeBatch = async (batch: readonly ShardCheckpoint[]): Promise<void> => {
    // One statement is one transaction: every shard's latest checkpoint lands together or not at all.
    await pgCall('checkpoint write', () =>
      pool.query(
        `INSERT INTO ${T_CP} (mapping_uuid, shard_id, position, status, window_state, updated_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
         ON CONFLICT (mapping_uuid, shard_id) DO UPDATE SET position = EXCLUDED.position, status = EXCLUDED.status,
           window_state = EXCLUDED.window_state, updated_at = EXCLUDED.updated_at`,
        [
          batch.map((c) => c.mappingUuid),
          batch.map((c) => c.shardId),
          batch.map((c) => c.position),
          batch.map((c) => c.status),
          batch.map((c) => c.windowState),
          batch.map((c) => Math.trunc(c.updatedAt)),
        ],
      ),
    );
  };
  return createTableStateStore({
    flushIntervalMs: opts.flushIntervalMs ?? 200,
    checkpoints: {
      writeBatch,
      get: async (m, s) => {
        const r = await pgCall('read', () => pool.query<CheckpointRow>(`SELECT * FROM ${T_CP} WHERE mapping_uuid = $1 AND shard_id = $2`, [m, s]));
        return r.rows[0];
      },
      list: async (m) => (await pgCall('read', () => pool.query<CheckpointRow>(`SELECT * FROM ${T_CP} WHERE mapping_uuid = $1`, [m]))).rows,
      deleteMapping: async (m) => {
        await pgCall('delete', () => pool.query(`DELETE FROM ${T_CP} WHERE mapping_uuid = $1`, [m]));
      },
    },
    mappings: {
      list: async () => (await pgCall('read', () => pool.query<{ body: string }>(`SELECT body FROM ${T_MAP} ORDER BY uuid`))).rows.map((row) => row.body),
      get: async (uuid) => (await pgCall('read', () => pool.query<{ body: string }>(`SELECT body FROM ${T_MAP} WHERE uuid = $1`, [uuid]))).rows[0]?.body,
      put: async (uuid, body) => {
        await pgCall('write', () => pool.query(`INSERT INTO ${T_MAP} (uuid, body) VALUES ($1, $2) ON CONFLICT (uuid) DO UPDATE SET body = EXCLUDED.body`, [uuid, body]));
      },
      delete: async (uuid) => {
        await pgCall('delete', () => pool.query(`DELETE FROM ${T_MAP} WHERE uuid = $1`, [uuid]));
      },
    },
    release: () => pool.end().catch(() => {}),
  });
}

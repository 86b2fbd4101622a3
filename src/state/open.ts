import type { StateStore } from './store.js';
import { openSqliteStateStore } from './sqlite-store.js';
import { openPostgresStateStore } from './postgres-store.js';

/** Where state lives: a SQLite file (embedded, default) or a PostgreSQL connection string. */
export type StateStoreConfig = { readonly sqlite: string } | { readonly postgres: string };

export interface OpenStateStoreOptions {
  /** Checkpoint puts are coalesced and written in one transaction at most this often. Default 200 ms. */
  readonly flushIntervalMs?: number;
  /** PostgreSQL only: the schema for sluice's tables (created when missing). Default: search_path. */
  readonly schema?: string;
}

/** Opens (and creates the schema of) the configured state store. */
export async function openStateStore(cfg: StateStoreConfig, opts: OpenStateStoreOptions = {}): Promise<StateStore> {
  if ('sqlite' in cfg) return openSqliteStateStore(cfg.sqlite, { flushIntervalMs: opts.flushIntervalMs });
  return openPostgresStateStore(cfg.postgres, { flushIntervalMs: opts.flushIntervalMs, schema: opts.schema });
}

import type { MappingUuid, ShardId } from '../core/ids.js';
import type { CheckpointStore, ShardCheckpoint, StateStore } from './store.js';
import { byShardId, mappingStoreOver, openGuard } from './table-store.js';

/**
 * An in-memory StateStore (tests, and `state: memory` runs that need no durability). Same
 * semantics as the durable stores except that nothing survives the process.
 */
export function createMemoryStateStore(): StateStore {
  const cps = new Map<string, ShardCheckpoint>();
  const maps = new Map<string, string>();
  const guard = openGuard();
  const check = guard.ensureOpen;
  const checkpoints: CheckpointStore = {
    async get(m: MappingUuid, s: ShardId) {
      check();
      return cps.get(`${m}\u0000${s}`);
    },
    async list(m: MappingUuid) {
      check();
      return [...cps.values()].filter((c) => c.mappingUuid === m).sort(byShardId);
    },
    async put(cp) {
      check();
      cps.set(`${cp.mappingUuid}\u0000${cp.shardId}`, Object.freeze({ ...cp }));
    },
    async deleteMapping(m) {
      check();
      for (const [k, v] of cps) if (v.mappingUuid === m) cps.delete(k);
    },
    async flush() {
      check();
    },
  };
  const mappings = mappingStoreOver(
    {
      list: async () => [...maps.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, body]) => body),
      get: async (uuid) => maps.get(uuid),
      put: async (uuid, body) => {
        maps.set(uuid, body);
      },
      delete: async (uuid) => {
        maps.delete(uuid);
      },
    },
    guard,
  );
  return {
    checkpoints,
    mappings,
    async close() {
      guard.markClosed();
    },
  };
}

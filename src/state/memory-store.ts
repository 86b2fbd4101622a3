import type { MappingUuid, ShardId } from '../core/ids.js';
import type { CheckpointStore, MappingStore, ShardCheckpoint, StateStore, StoredMapping } from './store.js';
import { StateStoreError } from '../core/errors.js';
import { storedMappingFromJson, storedMappingToJson } from './serialize.js';

/**
 * An in-memory StateStore (tests, and `state: memory` runs that need no durability). Same
 * semantics as the durable stores except that nothing survives the process.
 */
export function createMemoryStateStore(): StateStore {
  const cps = new Map<string, ShardCheckpoint>();
  const maps = new Map<string, string>();
  let closed = false;
  const check = (): void => {
    if (closed) throw new StateStoreError('state store is closed', { code: 'STATE_STORE_CLOSED' });
  };
  const checkpoints: CheckpointStore = {
    async get(m: MappingUuid, s: ShardId) {
      check();
      return cps.get(`${m}\u0000${s}`);
    },
    async list(m: MappingUuid) {
      check();
      return [...cps.values()].filter((c) => c.mappingUuid === m).sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
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
  const mappings: MappingStore = {
    async list() {
      check();
      return [...maps.values()].map(storedMappingFromJson).sort((a, b) => (a.spec.UUID < b.spec.UUID ? -1 : 1));
    },
    async get(uuid) {
      check();
      const t = maps.get(uuid);
      return t === undefined ? undefined : storedMappingFromJson(t);
    },
    async put(m: StoredMapping) {
      check();
      maps.set(m.spec.UUID, storedMappingToJson(m));
    },
    async delete(uuid) {
      check();
      maps.delete(uuid);
    },
  };
  return {
    checkpoints,
    mappings,
    async close() {
      closed = true;
    },
  };
}

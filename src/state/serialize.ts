import type { MappingSpec } from '../core/mapping.js';
import type { ShardCheckpoint, ShardStatus, StoredMapping } from './store.js';
import { mappingUuid, shardId } from '../core/ids.js';
import { StateStoreError } from '../core/errors.js';

/** Deep-freezes a JSON value. */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v as object)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** A StoredMapping as one JSON text (the spec, state, reasons). */
export function storedMappingToJson(m: StoredMapping): string {
  return JSON.stringify(m);
}

export function storedMappingFromJson(text: string): StoredMapping {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new StateStoreError('stored mapping is not valid JSON', { cause: err, code: 'STATE_STORE_CORRUPT' });
  }
  const o = v as { spec?: MappingSpec };
  if (!o || typeof o !== 'object' || !o.spec || typeof o.spec.UUID !== 'string') {
    throw new StateStoreError('stored mapping has no spec', { code: 'STATE_STORE_CORRUPT' });
  }
  return deepFreeze(v as StoredMapping);
}

/** One checkpoint row as the stores keep it. */
export interface CheckpointRow {
  mapping_uuid: string;
  shard_id: string;
  position: string | null;
  status: string;
  window_state: string | null;
  updated_at: number | string;
}

export function checkpointFromRow(r: CheckpointRow): ShardCheckpoint {
  return Object.freeze({
    mappingUuid: mappingUuid(r.mapping_uuid),
    shardId: shardId(r.shard_id),
    position: r.position,
    status: r.status as ShardStatus,
    windowState: r.window_state,
    updatedAt: Number(r.updated_at),
  });
}

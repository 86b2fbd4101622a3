/**
 * Where a shard's reading starts. Pure: decided from the shard's checkpoint, its lineage and the
 * mapping's StartingPosition.
 *
 * - After a checkpoint: AFTER_SEQUENCE_NUMBER of the last finished record.
 * - A child of a shard this mapping has read (resharding) with no position yet: TRIM_HORIZON, so
 *   no record of the child is skipped (AT_TIMESTAMP mappings keep AT_TIMESTAMP: it skips only
 *   records older than the requested start).
 * - Otherwise the mapping's StartingPosition. With LATEST, a shard that was already closed and
 *   replaced by children before this mapping touched it is skipped, and each shard started at
 *   LATEST gets a marker checkpoint (status open, no position, updatedAt = when reading began) so
 *   a restart before its first record resumes at that time (Kinesis AT_TIMESTAMP) instead of
 *   jumping to the new tip and losing what arrived meanwhile.
 */
import type { StartingPosition } from '../../core/mapping.js';
import type { ShardCheckpoint } from '../../state/store.js';
import type { IteratorStart } from './stream-api.js';

export type StartDecision =
  | { readonly kind: 'read'; readonly start: IteratorStart; readonly writeMarker: boolean }
  | { readonly kind: 'skip' }
  | { readonly kind: 'done' };

export interface StartInput {
  readonly mode: StartingPosition;
  /** StartingPositionTimestamp in epoch ms (AT_TIMESTAMP only). */
  readonly timestampMs?: number;
  readonly supportsTimestamp: boolean;
  readonly checkpoint?: ShardCheckpoint;
  /** One of the shard's parents has been read by this mapping (it has a checkpoint or was started). */
  readonly parentRead: boolean;
  /** The shard is closed and its children are listed. */
  readonly closedWithChildren: boolean;
}

export function chooseStart(i: StartInput): StartDecision {
  const cp = i.checkpoint;
  if (cp?.status === 'finished') return { kind: 'done' };
  if (cp?.position != null) return read({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: cp.position });
  const atTimestamp = (): IteratorStart => ({ type: 'AT_TIMESTAMP', timestampMs: i.timestampMs ?? 0 });
  if (i.parentRead) return read(i.mode === 'AT_TIMESTAMP' && i.supportsTimestamp ? atTimestamp() : { type: 'TRIM_HORIZON' });
  switch (i.mode) {
    case 'TRIM_HORIZON':
      return read({ type: 'TRIM_HORIZON' });
    case 'AT_TIMESTAMP':
      return read(i.supportsTimestamp ? atTimestamp() : { type: 'TRIM_HORIZON' });
    case 'LATEST':
      if (cp) {
        // A LATEST marker: reading began at cp.updatedAt and nothing is finished yet.
        return read(i.supportsTimestamp ? { type: 'AT_TIMESTAMP', timestampMs: cp.updatedAt } : { type: 'LATEST' });
      }
      if (i.closedWithChildren) return { kind: 'skip' };
      return { kind: 'read', start: { type: 'LATEST' }, writeMarker: true };
  }
}

function read(start: IteratorStart): StartDecision {
  return { kind: 'read', start, writeMarker: false };
}

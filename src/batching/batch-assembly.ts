/**
 * Picks the next batch from a shard's buffer: records in shard order, skipping any whose
 * partition key is held by an in-flight batch (later records of that key are skipped too, other
 * keys go ahead), up to BatchSize records and the payload cap.
 */
import type { PolledRecord } from '../sources/source.js';

export interface BufferedRecord {
  readonly record: PolledRecord;
  /**
   * The interned id of `record.partitionKey` (KeyLocks; -1 while the batcher runs one batch at a
   * time and needs no key locks) and a copy of `record.payloadBytes`: batch assembly reads these
   * compact entries instead of going back to the (large, cache-cold) records and hashing keys.
   */
  keyId: number;
  readonly bytes: number;
  /** Position in the shard (checkpoint tracker sequence; for queues, acceptance order). */
  readonly seq: number;
  /** When the pipeline accepted it (clock ms): the first-record window start. */
  readonly acceptedAt: number;
  taken: boolean;
}

export interface Selection {
  /** Buffer indices of the chosen records, in order. */
  readonly indices: number[];
  readonly bytes: number;
  /**
   * True when the batch cannot grow: BatchSize reached, or the next eligible record does not fit
   * under the cap (send now).
   */
  readonly full: boolean;
  /** The first eligible record alone exceeds the cap: it must be failed as a record of its own. */
  readonly oversized?: number;
}

export interface SelectOptions {
  readonly batchSize: number;
  readonly overheadBytes: number;
  readonly limitBytes: number;
  /** Held flags by key id (1 = held by an in-flight batch); undefined when no key is held. */
  readonly held: readonly number[] | undefined;
  /** At most this many buffer slots are looked at per selection (bounds CPU on huge buffers). */
  readonly scanLimit: number;
}

export function selectBatch(buffer: readonly BufferedRecord[], from: number, o: SelectOptions): Selection {
  const indices: number[] = [];
  let bytes = o.overheadBytes;
  const end = Math.min(buffer.length, from + o.scanLimit);
  // A skipped key stays skipped for the rest of the scan (held keys do not change during it), so
  // later records of a held key are never taken ahead of earlier ones.
  const held = o.held;
  for (let i = from; i < end; i++) {
    const e = buffer[i]!;
    if (e.taken) continue;
    if (held !== undefined && held[e.keyId] === 1) continue;
    const add = e.bytes + (indices.length > 0 ? 1 : 0);
    if (bytes + add > o.limitBytes) {
      if (indices.length === 0) return { indices: [i], bytes: bytes + add, full: true, oversized: i };
      return { indices, bytes, full: true };
    }
    indices.push(i);
    bytes += add;
    if (indices.length >= o.batchSize) return { indices, bytes, full: true };
  }
  return { indices, bytes, full: false };
}

/**
 * Picks the next batch from a shard's buffer: records in shard order, skipping any whose
 * partition key is held by an in-flight batch (later records of that key are skipped too, other
 * keys go ahead), up to BatchSize records and the payload cap.
 *
 * The buffer is a set of columns (record-buffer.ts), not an object per buffered record.
 */
/** The batcher's buffer (RecordBuffer), one slot per accepted record. */
export interface BufferColumns {
  /** Slots in the buffer (claimed or not). */
  readonly length: number;
  /** The payload bytes of the record in a slot, without touching the record (sequential access is cheap). */
  bytesAt(slot: number): number;
  /** The interned key id of each record (KeyLocks); only read when `held` is given. */
  readonly keyIds: readonly number[];
  /** The first slot at or after `i` not claimed yet (claimed out of order slots are jumped over). */
  nextUntaken(i: number): number;
  /** The longest contiguous run of slots from `from` that fits a byte budget (RecordBuffer.fitFrom). */
  fitFrom(from: number, max: number, budget: number): { readonly count: number; readonly bytes: number; readonly capped: boolean };
}

export interface Selection {
  /**
   * Buffer indices of the chosen records, in order; undefined when they are the contiguous run
   * `[from, from + count)` (no record skipped: the common case, claimed with one slice).
   */
  readonly indices: number[] | undefined;
  readonly count: number;
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
  /** True when some slot at or after `from` is already taken (a skip scan is needed). */
  readonly takenAhead: boolean;
}

export function selectBatch(buf: BufferColumns, from: number, o: SelectOptions): Selection {
  if (o.held === undefined && !o.takenAhead) return selectRun(buf, from, o);
  return selectSkipping(buf, from, o);
}

/** No key held, nothing taken ahead: the batch is the longest fitting run from `from`. */
function selectRun(buf: BufferColumns, from: number, o: SelectOptions): Selection {
  const max = Math.max(0, Math.min(buf.length - from, o.scanLimit, o.batchSize));
  const fit = buf.fitFrom(from, max, o.limitBytes - o.overheadBytes);
  if (fit.count === 0 && fit.capped) {
    return { indices: undefined, count: 1, bytes: o.overheadBytes + buf.bytesAt(from), full: true, oversized: from };
  }
  return { indices: undefined, count: fit.count, bytes: o.overheadBytes + fit.bytes, full: fit.capped || fit.count >= o.batchSize };
}

/** Skips taken records and records of held keys (a skipped key stays skipped for the whole scan). */
function selectSkipping(buf: BufferColumns, from: number, o: SelectOptions): Selection {
  const keyIds = buf.keyIds;
  const indices: number[] = [];
  let bytes = o.overheadBytes;
  const end = Math.min(buf.length, from + o.scanLimit);
  // Held keys do not change during the scan, so later records of a held key are never taken
  // ahead of earlier ones.
  const held = o.held;
  for (let i = buf.nextUntaken(from); i < end; i = buf.nextUntaken(i + 1)) {
    if (held !== undefined && held[keyIds[i]!] === 1) continue;
    const add = buf.bytesAt(i) + (indices.length > 0 ? 1 : 0);
    if (bytes + add > o.limitBytes) {
      if (indices.length === 0) return { indices: [i], count: 1, bytes: bytes + add, full: true, oversized: i };
      return { indices, count: indices.length, bytes, full: true };
    }
    indices.push(i);
    bytes += add;
    if (indices.length >= o.batchSize) return { indices, count: indices.length, bytes, full: true };
  }
  return { indices, count: indices.length, bytes, full: false };
}

/**
 * The batcher's buffer of one shard: accepted records in shard order, one slot each, so that
 * accepting a poll costs no work per record (ParallelizationFactor 1).
 *
 * - runs (runs.ts): each append is a run — the source's array itself (kept, not copied:
 *   ShardSink.push hands it over) with the sequence number of its first record (the rest follow
 *   consecutively), when it was accepted, and its records' running byte totals (prefixBytes). A
 *   slot's record, sequence number, acceptance time and size come from its run, so selecting a
 *   batch reads sizes from one typed array instead of touching every record again.
 * - claimed-out-of-order slots (ParallelizationFactor > 1 skipping held keys): a forward-pointer
 *   column created on the first such claim — `next[i] === i` for a slot still buffered, else a
 *   pointer towards the next one (union-find with path halving), so scans jump over claimed runs.
 *   Slots claimed in order are simply passed by `head`.
 * - `keyIds`: interned partition-key ids by slot, filled once keys are interned (KeyLocks).
 *
 * Slots before `head` are gone. When `head` passes every slot the buffer starts over; runs wholly
 * before `head` are dropped (and slots renumbered) once that prefix is large.
 */
import type { PolledRecord } from '../sources/source.js';
import { Runs } from './runs.js';

/** Runs wholly before `head` are dropped once they hold this many slots and half the buffer. */
const COMPACT_AT = 4096;

/** What a run records besides its records. */
interface RunInfo {
  /** Sequence number of the run's first record. */
  readonly seq: number;
  /** When the run was accepted. */
  readonly at: number;
  /** Running byte totals (prefixBytes) of an array the run's records are part of ... */
  readonly cum: Float64Array;
  /** ... starting at this index of it (a filtered poll's runs share the poll's totals). */
  readonly off: number;
}

/** RecordBuffer.fitFrom's answer. */
export interface Fit {
  /** Slots that fit. */
  readonly count: number;
  /** Their bytes, commas included. */
  readonly bytes: number;
  /** True when the next slot did not fit (the budget, not `max` or the buffer's end, stopped it). */
  readonly capped: boolean;
}

export class RecordBuffer {
  readonly #runs = new Runs<PolledRecord, RunInfo>();
  #keyIds: number[] = [];
  #next: number[] | undefined;
  #head = 0;
  /** Claimed slots at or after `head`. */
  #takenAhead = 0;

  /** Key ids by slot (only meaningful once interned). */
  get keyIds(): readonly number[] {
    return this.#keyIds;
  }
  get head(): number {
    return this.#head;
  }
  get length(): number {
    return this.#runs.length;
  }
  /** True when some slot at or after `head` is already claimed. */
  get takenAhead(): boolean {
    return this.#takenAhead > 0;
  }

  /**
   * Appends `records` (kept as they are: the caller must not change the array afterwards) with
   * sequence numbers `firstSeq`, `firstSeq + 1`, ... accepted at `at`; record i's size is
   * `cum[off + i + 1] - cum[off + i]`. `keyId`, when given, interns each record's key (the batcher
   * locks by key).
   */
  append(records: readonly PolledRecord[], firstSeq: number, at: number, cum: Float64Array, off: number, keyId?: (r: PolledRecord) => number): void {
    const n = records.length;
    if (n === 0) return;
    const slot = this.#runs.push(records, { seq: firstSeq, at, cum, off });
    if (keyId) for (let i = 0; i < n; i++) this.#keyIds.push(keyId(records[i]!));
    const nx = this.#next;
    if (nx) for (let i = 0; i < n; i++) nx.push(slot + i);
  }

  /** The record in `slot` (fastest when slots are visited in increasing order). */
  recordAt(slot: number): PolledRecord {
    return this.#runs.at(slot);
  }

  /** The first slot at or after `i` not yet claimed (`length` when there is none). */
  nextUntaken(i: number): number {
    const nx = this.#next;
    if (nx === undefined) return i;
    const len = nx.length;
    let j = i;
    while (j < len && nx[j] !== j) {
      const k = nx[j]!;
      if (k < len) nx[j] = nx[k]!; // path halving
      j = k;
    }
    return j < len ? j : len;
  }

  /** The payload bytes of the record in `slot` (fastest when slots are visited in increasing order). */
  bytesAt(slot: number): number {
    const runs = this.#runs;
    const r = runs.runOf(slot);
    const m = runs.metaOf(r);
    const k = m.off + slot - runs.startOf(r);
    return m.cum[k + 1]! - m.cum[k]!;
  }

  /**
   * The longest run of contiguous slots from `from` (at most `max`) whose bytes fit in `budget`,
   * counting one more byte for each record after the first (the comma between two records).
   * Whole runs are sized with one subtraction of their byte totals; only the run where the budget
   * ends is searched.
   */
  fitFrom(from: number, max: number, budget: number): Fit {
    const runs = this.#runs;
    let count = 0;
    let bytes = 0;
    let i = from;
    while (count < max && i < runs.length) {
      const r = runs.runOf(i);
      const { cum, off } = runs.metaOf(r);
      const rs = runs.startOf(r);
      const k0 = off + i - rs;
      const avail = Math.min(max - count, rs + runs.itemsOf(r).length - i);
      // Bytes of the first `a` records of this stretch, with their commas.
      const commas = count === 0 ? -1 : 0;
      const cost = (a: number): number => cum[k0 + a]! - cum[k0]! + a + commas;
      const all = cost(avail);
      if (bytes + all <= budget) {
        count += avail;
        bytes += all;
        i += avail;
        continue;
      }
      // The budget ends inside this stretch: the largest a < avail that fits (cost grows with a).
      let lo = 0;
      let hi = avail - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bytes + cost(mid) <= budget) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) {
        bytes += cost(lo);
        count += lo;
      }
      return { count, bytes, capped: true };
    }
    return { count, bytes, capped: false };
  }

  /** Interns every slot's key from now on (slots before `head` and claimed ones get -1). */
  intern(keyId: (r: PolledRecord) => number): void {
    const ids = new Array<number>(this.length).fill(-1);
    for (let i = this.nextUntaken(this.#head); i < ids.length; i = this.nextUntaken(i + 1)) ids[i] = keyId(this.recordAt(i));
    this.#keyIds = ids;
  }

  /** The records of the contiguous slots [a, b). */
  recordsOfRun(a: number, b: number): PolledRecord[] {
    return this.#runs.slice(a, b);
  }

  /** Sequence number of the record in `slot`. */
  seqAt(slot: number): number {
    const r = this.#runs.runOf(slot);
    return this.#runs.metaOf(r).seq + (slot - this.#runs.startOf(r));
  }

  /** Sequence numbers of the contiguous slots [a, b). */
  seqsOfRun(a: number, b: number): number[] {
    const out = new Array<number>(b - a);
    for (let s = a; s < b; ) {
      // Within a run the numbers are consecutive.
      const r = this.#runs.runOf(s);
      const rs = this.#runs.startOf(r);
      const end = Math.min(b, rs + this.#runs.itemsOf(r).length);
      const first = this.#runs.metaOf(r).seq - rs;
      for (; s < end; s++) out[s - a] = first + s;
    }
    return out;
  }

  /** Sequence numbers of the given ascending slots. */
  seqsOf(slots: readonly number[]): number[] {
    const out = new Array<number>(slots.length);
    for (let j = 0; j < slots.length; j++) out[j] = this.seqAt(slots[j]!);
    return out;
  }

  /** When the record in `slot` was accepted. */
  acceptedAt(slot: number): number {
    return this.#runs.metaOf(this.#runs.runOf(slot)).at;
  }

  /** Claims the contiguous slots from `head` on: `head` moves past them. */
  claimRun(count: number): void {
    this.#head += count;
    this.#skipTaken();
  }

  /** Claims the given ascending slots out of order. */
  claimSlots(slots: readonly number[]): void {
    const nx = (this.#next ??= Array.from({ length: this.length }, (_, i) => i));
    for (let j = 0; j < slots.length; j++) nx[slots[j]!] = slots[j]! + 1;
    this.#takenAhead += slots.length;
    this.#skipTaken();
  }

  /** Empties the buffer; returns the unclaimed records and their key ids, in order. */
  drain(): { records: PolledRecord[]; keyIds: number[] } {
    const records: PolledRecord[] = [];
    const keyIds: number[] = [];
    for (let i = this.nextUntaken(this.#head); i < this.length; i = this.nextUntaken(i + 1)) {
      records.push(this.recordAt(i));
      keyIds.push(this.#keyIds[i] ?? -1);
    }
    this.#clear();
    return { records, keyIds };
  }

  #skipTaken(): void {
    if (this.#next) {
      // Every slot between the old and the new head is claimed.
      const h = this.nextUntaken(this.#head);
      this.#takenAhead -= h - this.#head;
      this.#head = h;
    }
    const len = this.length;
    if (this.#head >= len) this.#clear();
    else if (this.#head >= COMPACT_AT && this.#head * 2 >= len) this.#dropRunsBeforeHead();
  }

  /** Drops the runs that lie wholly before `head`; the per-slot columns shift with them. */
  #dropRunsBeforeHead(): void {
    const d = this.#runs.dropBefore(this.#head);
    if (d === 0) return;
    if (this.#keyIds.length > 0) this.#keyIds = this.#keyIds.slice(d);
    if (this.#next) this.#next = this.#next.slice(d).map((v) => v - d);
    this.#head -= d;
  }

  #clear(): void {
    this.#runs.clear();
    this.#keyIds = [];
    this.#next = undefined;
    this.#head = 0;
    this.#takenAhead = 0;
  }
}

/**
 * The batcher's buffer of one shard: accepted records in shard order, one slot each, so that
 * accepting a poll costs no work per record (ParallelizationFactor 1).
 *
 * - runs (runs.ts): each append is a run — the source's array itself (kept, not copied:
 *   ShardSink.push hands it over) with the sequence number of its first record (the rest follow
 *   consecutively) and when it was accepted. A slot's record, sequence number and acceptance time
 *   come from its run.
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
   * sequence numbers `firstSeq`, `firstSeq + 1`, ... accepted at `at`. `keyId`, when given,
   * interns each record's key (the batcher locks by key).
   */
  append(records: readonly PolledRecord[], firstSeq: number, at: number, keyId?: (r: PolledRecord) => number): void {
    const n = records.length;
    if (n === 0) return;
    const slot = this.#runs.push(records, { seq: firstSeq, at });
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
    for (let s = a; s < b; s++) out[s - a] = this.seqAt(s);
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

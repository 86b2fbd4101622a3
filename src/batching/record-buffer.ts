/**
 * The batcher's buffer of one shard: accepted records in shard order, one slot each, kept in
 * columns so that accepting a poll costs one bulk append, not an object per record.
 *
 * - `records`: the records themselves (appended in bulk).
 * - runs: each append is a run of records with consecutive sequence numbers accepted at one
 *   moment; a slot's sequence number and acceptance time are derived from its run.
 * - `taken`: 1 for a slot claimed out of order (ParallelizationFactor > 1 skipping held keys);
 *   created on the first such claim, slots claimed in order are simply passed by `head`.
 * - `keyIds`: interned partition-key ids, filled once keys are interned (KeyLocks).
 *
 * Slots before `head` are gone. When `head` passes every slot the columns start over; a large
 * claimed prefix is dropped by slicing.
 */
import type { PolledRecord } from '../sources/source.js';

/** Most records pushed through one spread call (keeps the argument list small). */
const APPEND_STEP = 4096;
/** The claimed prefix is dropped once it is this long and at least half the columns. */
const COMPACT_AT = 4096;

export class RecordBuffer {
  #records: PolledRecord[] = [];
  #keyIds: number[] = [];
  #taken: number[] | undefined;
  // Runs, by their first slot (ascending).
  #runSlot: number[] = [];
  #runSeq: number[] = [];
  #runAt: number[] = [];
  #head = 0;
  /** Claimed slots at or after `head`. */
  #takenAhead = 0;

  get records(): readonly PolledRecord[] {
    return this.#records;
  }
  /** Key ids by slot (only meaningful once interned). */
  get keyIds(): readonly number[] {
    return this.#keyIds;
  }
  /** Out-of-order claim flags by slot, or undefined while every claim has been in order. */
  get taken(): readonly number[] | undefined {
    return this.#taken;
  }
  get head(): number {
    return this.#head;
  }
  get length(): number {
    return this.#records.length;
  }
  /** True when some slot at or after `head` is already claimed. */
  get takenAhead(): boolean {
    return this.#takenAhead > 0;
  }

  /**
   * Appends `records` with sequence numbers `firstSeq`, `firstSeq + 1`, ... accepted at `at`.
   * `keyId`, when given, interns each record's key (the batcher locks by key).
   */
  append(records: readonly PolledRecord[], firstSeq: number, at: number, keyId?: (r: PolledRecord) => number): void {
    if (records.length === 0) return;
    const slot = this.#records.length;
    this.#runSlot.push(slot);
    this.#runSeq.push(firstSeq);
    this.#runAt.push(at);
    for (let i = 0; i < records.length; i += APPEND_STEP) {
      this.#records.push(...(records.length <= APPEND_STEP ? records : records.slice(i, i + APPEND_STEP)));
    }
    if (keyId) for (let i = 0; i < records.length; i++) this.#keyIds.push(keyId(records[i]!));
    const taken = this.#taken;
    if (taken) for (let i = 0; i < records.length; i++) taken.push(0);
  }

  /** Interns every slot's key from now on (slots before `head` and claimed ones get -1). */
  intern(keyId: (r: PolledRecord) => number): void {
    const ids = new Array<number>(this.#records.length).fill(-1);
    for (let i = this.#head; i < ids.length; i++) if (this.#taken?.[i] !== 1) ids[i] = keyId(this.#records[i]!);
    this.#keyIds = ids;
  }

  /** Sequence numbers of the contiguous slots [a, b). */
  seqsOfRun(a: number, b: number): number[] {
    const out = new Array<number>(b - a);
    let r = this.#runOf(a);
    for (let s = a; s < b; s++) {
      while (r + 1 < this.#runSlot.length && this.#runSlot[r + 1]! <= s) r++;
      out[s - a] = this.#runSeq[r]! + (s - this.#runSlot[r]!);
    }
    return out;
  }

  /** Sequence numbers of the given ascending slots. */
  seqsOf(slots: readonly number[]): number[] {
    const out = new Array<number>(slots.length);
    if (slots.length === 0) return out;
    let r = this.#runOf(slots[0]!);
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j]!;
      while (r + 1 < this.#runSlot.length && this.#runSlot[r + 1]! <= s) r++;
      out[j] = this.#runSeq[r]! + (s - this.#runSlot[r]!);
    }
    return out;
  }

  /** When the record in `slot` was accepted. */
  acceptedAt(slot: number): number {
    return this.#runAt[this.#runOf(slot)]!;
  }

  /** Claims the contiguous slots from `head` on: `head` moves past them. */
  claimRun(count: number): void {
    this.#head += count;
    this.#skipTaken();
  }

  /** Claims the given ascending slots out of order. */
  claimSlots(slots: readonly number[]): void {
    const taken = (this.#taken ??= new Array<number>(this.#records.length).fill(0));
    for (let j = 0; j < slots.length; j++) taken[slots[j]!] = 1;
    this.#takenAhead += slots.length;
    this.#skipTaken();
  }

  /** Empties the buffer; returns the unclaimed records and their key ids, in order. */
  drain(): { records: PolledRecord[]; keyIds: number[] } {
    const records: PolledRecord[] = [];
    const keyIds: number[] = [];
    for (let i = this.#head; i < this.#records.length; i++) {
      if (this.#taken?.[i] === 1) continue;
      records.push(this.#records[i]!);
      keyIds.push(this.#keyIds[i] ?? -1);
    }
    this.#clear();
    return { records, keyIds };
  }

  /** Index of the run holding `slot` (the last run starting at or before it). */
  #runOf(slot: number): number {
    const starts = this.#runSlot;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= slot) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #skipTaken(): void {
    const taken = this.#taken;
    const len = this.#records.length;
    if (taken) {
      while (this.#head < len && taken[this.#head] === 1) {
        this.#head++;
        this.#takenAhead--;
      }
    }
    if (this.#head >= len) this.#clear();
    else if (this.#head >= COMPACT_AT && this.#head * 2 >= len) this.#dropPrefix(this.#head);
  }

  #dropPrefix(h: number): void {
    this.#records = this.#records.slice(h);
    if (this.#keyIds.length > 0) this.#keyIds = this.#keyIds.slice(h);
    if (this.#taken) this.#taken = this.#taken.slice(h);
    // Keep the run holding slot h and every later one; the first kept run now starts at h.
    const r = this.#runOf(h);
    const slots = this.#runSlot.slice(r);
    const seqs = this.#runSeq.slice(r);
    seqs[0] = seqs[0]! + (h - slots[0]!);
    slots[0] = h;
    for (let i = 0; i < slots.length; i++) slots[i] = slots[i]! - h;
    this.#runSlot = slots;
    this.#runSeq = seqs;
    this.#runAt = this.#runAt.slice(r);
    this.#head = 0;
  }

  #clear(): void {
    this.#records = [];
    this.#keyIds = [];
    this.#taken = undefined;
    this.#runSlot = [];
    this.#runSeq = [];
    this.#runAt = [];
    this.#head = 0;
    this.#takenAhead = 0;
  }
}

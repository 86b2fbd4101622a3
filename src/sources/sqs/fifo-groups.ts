/**
 * FIFO message-group order kept by the source itself (esm-semantics.md: "after a failure in a
 * group, the rest of that group's messages must not be processed ahead of it"), for servers that
 * do not lock message groups (local-aws-sqs, local-backends.md).
 *
 * On real SQS the server never returns a message of a group while another message of that group
 * is in flight (received, not deleted, still invisible), so the hold and block paths below never
 * trigger there: every received message is pushed at once.
 *
 * Per group G:
 * - in flight: messages pushed to the pipeline and not yet completed/released. While G has any,
 *   newly received messages of G are HELD in memory (still invisible: the caller keeps extending
 *   their visibility) instead of pushed, so a failure in the in-flight ones can never be
 *   overtaken by a later message already buffered in the pipeline.
 * - when G's in-flight messages all complete, held messages are pushed — at most `waveSize` at a
 *   time (default 1), so a wave never spans two batches (a failure in the first would otherwise
 *   leave the second queued behind it).
 * - when a message of G is released (failed), G is BLOCKED until that message's visibility
 *   deadline plus a grace: messages of G received meanwhile are held (never pushed) behind it; a
 *   released one that comes back takes its original place (every message keeps the sequence
 *   number it got when first admitted), so it is pushed first. G unblocks when every released
 *   message came back, or at the deadline (it went to a DLQ or was deleted elsewhere).
 * - held messages are never handed back to the queue while there is room (`maxHeld`): deferring
 *   them (ChangeMessageVisibility) was tried and breaks order on local-aws-sqs — a deferred
 *   message reappears after later messages of its group that were never received, and visibility
 *   is set in whole seconds, so two deferrals can reappear swapped (measured: g1 …5, 17, 18, 19,
 *   6…). Only past `maxHeld` are new messages deferred (`defer`), which is best effort on such
 *   servers and, like any unpushed message, never loses it.
 *
 * Pure bookkeeping: no I/O; time from the injected clock.
 */
import type { Clock } from '../../core/clock.js';

export interface FifoGroupsOptions<R> {
  readonly clock: Clock;
  readonly groupOf: (r: R) => string;
  readonly idOf: (r: R) => string;
  /** Added to a released message's visibility deadline before its group unblocks. Default 1000 ms. */
  readonly graceMs?: number;
  /** Held messages of a group pushed at once after its in-flight ones complete. Default 1. */
  readonly waveSize?: number;
  /**
   * Held messages (all groups) beyond which new ones of a busy or blocked group are deferred
   * (until the block ends, else for `graceMs`). Default 10 000.
   */
  readonly maxHeld?: number;
}

export interface Deferral<R> {
  readonly record: R;
  /** Epoch ms at which the message should become visible again. */
  readonly untilMs: number;
}

export interface GroupDecision<R> {
  /** Push these to the pipeline now, in this order. */
  readonly push: R[];
  /** Make these visible again at `untilMs` and forget them (they were never pushed). */
  readonly defer: Deferral<R>[];
}

interface Held<R> {
  readonly record: R;
  readonly seq: number;
}

interface Group<R> {
  nextSeq: number;
  readonly inFlight: Map<string, number>; // id → seq
  held: Held<R>[]; // sorted by seq
  blocked: { readonly ids: Map<string, number>; until: number } | undefined; // released id → seq
}

export class FifoGroups<R> {
  readonly #o: FifoGroupsOptions<R>;
  readonly #groups = new Map<string, Group<R>>();
  #heldCount = 0;

  constructor(o: FifoGroupsOptions<R>) {
    this.#o = o;
  }

  /** Messages held in memory (received, not pushed). */
  get held(): number {
    return this.#heldCount;
  }

  /** Whether group `g` is blocked after a release. */
  isBlocked(g: string): boolean {
    const grp = this.#groups.get(g);
    if (grp) this.#expire(grp, this.#o.clock.now());
    return grp?.blocked !== undefined;
  }

  /**
   * Received messages, in receive order. Also re-checks every blocked group's deadline, so call it
   * after every receive (even an empty one).
   */
  admit(records: readonly R[]): GroupDecision<R> {
    const now = this.#o.clock.now();
    const grace = this.#o.graceMs ?? 1000;
    const out: GroupDecision<R> = { push: [], defer: [] };
    const touched = new Set<Group<R>>();
    /** Groups with nothing held, in flight or blocked when this receive arrived. */
    const fresh = new Set<Group<R>>();
    for (const r of records) {
      const g = this.#group(this.#o.groupOf(r));
      this.#expire(g, now);
      if (!touched.has(g) && g.inFlight.size === 0 && g.held.length === 0 && !g.blocked) fresh.add(g);
      const id = this.#o.idOf(r);
      const b = g.blocked;
      const seq = b?.ids.get(id);
      if (b && seq !== undefined) {
        b.ids.delete(id);
        if (b.ids.size === 0) g.blocked = undefined;
        this.#hold(g, { record: r, seq });
      } else if ((b || g.inFlight.size > 0 || g.held.length > 0) && this.#heldCount >= (this.#o.maxHeld ?? 10_000)) {
        out.defer.push({ record: r, untilMs: b ? b.until : now + grace });
        continue;
      } else {
        this.#hold(g, { record: r, seq: g.nextSeq++ });
      }
      touched.add(g);
    }
    // Messages received together for a fresh group go out together (real SQS: one receive's
    // worth); anything else moves one wave at a time.
    for (const g of touched) out.push.push(...this.#drain(g, fresh.has(g) ? Infinity : (this.#o.waveSize ?? 1)));
    for (const [key, g] of this.#groups) {
      if (touched.has(g)) continue;
      if (g.blocked) {
        this.#expire(g, now);
        out.push.push(...this.#drain(g, this.#o.waveSize ?? 1));
      }
      this.#gc(key, g);
    }
    return out;
  }

  /**
   * The pipeline settled these pushed messages. `deadlineOf(r)`: when a released message becomes
   * visible again (epoch ms). Returns held messages that may now be pushed, and those to defer.
   */
  settled(records: readonly R[], how: 'complete' | 'release', deadlineOf: (r: R) => number): GroupDecision<R> {
    const now = this.#o.clock.now();
    const grace = this.#o.graceMs ?? 1000;
    const out: GroupDecision<R> = { push: [], defer: [] };
    const touched = new Map<string, Group<R>>();
    for (const r of records) {
      const key = this.#o.groupOf(r);
      const g = this.#groups.get(key);
      if (!g) continue;
      const id = this.#o.idOf(r);
      const seq = g.inFlight.get(id);
      if (seq === undefined) continue;
      g.inFlight.delete(id);
      touched.set(key, g);
      if (how === 'release') {
        g.blocked ??= { ids: new Map(), until: 0 };
        g.blocked.ids.set(id, seq);
        g.blocked.until = Math.max(g.blocked.until, deadlineOf(r) + grace);
      }
    }
    for (const [key, g] of touched) {
      this.#expire(g, now);
      out.push.push(...this.#drain(g, this.#o.waveSize ?? 1));
      this.#gc(key, g);
    }
    return out;
  }

  /** Forgets pushed messages the pipeline did not accept (stopping). */
  forget(records: readonly R[]): void {
    for (const r of records) {
      const key = this.#o.groupOf(r);
      const g = this.#groups.get(key);
      if (!g) continue;
      g.inFlight.delete(this.#o.idOf(r));
      this.#gc(key, g);
    }
  }

  #group(key: string): Group<R> {
    let g = this.#groups.get(key);
    if (!g) {
      g = { nextSeq: 0, inFlight: new Map(), held: [], blocked: undefined };
      this.#groups.set(key, g);
    }
    return g;
  }

  #hold(g: Group<R>, h: Held<R>): void {
    let i = g.held.length;
    while (i > 0 && g.held[i - 1]!.seq > h.seq) i--;
    g.held.splice(i, 0, h);
    this.#heldCount++;
  }

  #expire(g: Group<R>, now: number): void {
    if (g.blocked && now >= g.blocked.until) g.blocked = undefined;
  }

  /** Held messages that may go now: none while any are in flight; none past a missing released one. */
  #drain(g: Group<R>, max: number): R[] {
    if (g.inFlight.size > 0) return [];
    let limit = Infinity;
    if (g.blocked) for (const seq of g.blocked.ids.values()) limit = Math.min(limit, seq);
    const out: R[] = [];
    while (out.length < max && g.held.length > 0 && g.held[0]!.seq < limit) {
      const h = g.held.shift()!;
      this.#heldCount--;
      g.inFlight.set(this.#o.idOf(h.record), h.seq);
      out.push(h.record);
    }
    return out;
  }

  #gc(key: string, g: Group<R>): void {
    if (g.inFlight.size === 0 && g.held.length === 0 && !g.blocked) this.#groups.delete(key);
  }
}

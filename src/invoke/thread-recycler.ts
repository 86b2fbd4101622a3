/**
 * Knows which worker thread runs which invoke, so a timed-out invoke can recycle its thread
 * without killing the other invokes that share it.
 *
 * Why not piscina's AbortSignal: piscina never puts a second task on a thread that runs an
 * abortable task, which would cap every thread at one invoke in flight. Instead this piscina load
 * balancer (least busy, at most `perThread` tasks) records the thread of each task. When an invoke
 * times out the runtime reports `Sandbox.Timedout` at once and the thread is "draining": it gets
 * no new tasks, and once only abandoned (timed-out) tasks remain on it, it is terminated; piscina
 * replaces it (minThreads = maxThreads). Every task has its own timeout, so draining is bounded.
 */
import { Piscina } from 'piscina';

/** Attached to each task under piscina's queueOptionsSymbol (symbol keys are not cloned). */
export interface TaskSlot {
  threadId: number;
  abandoned: boolean;
  /** Abandoned while running on `threadId` (counted in that thread's `abandoned`). */
  counted: boolean;
}

interface ThreadState {
  inFlight: number;
  abandoned: number;
  draining: boolean;
}

/** The part of piscina's balancer worker view this needs. */
interface BalancedWorker {
  readonly id: number;
  readonly currentUsage: number;
  readonly terminating: boolean;
  readonly destroyed: boolean;
}

export interface ThreadRecycler {
  /** piscina `loadBalancer` option. */
  readonly balancer: (task: object, workers: readonly BalancedWorker[]) => BalancedWorker | null;
  /** Call when the task's piscina promise settles. */
  settled(slot: TaskSlot): void;
  /** Call when the runtime gives up on a running task (timeout, caller abort). */
  abandon(slot: TaskSlot): void;
  /** Threads currently draining (tests, metrics). */
  readonly draining: number;
}

export function createThreadRecycler(opts: {
  perThread: number;
  /** Terminates the thread with this threadId (piscina then replaces it). */
  terminate: (threadId: number) => void;
}): ThreadRecycler {
  const threads = new Map<number, ThreadState>();
  const qsym = Piscina.queueOptionsSymbol;

  const state = (id: number): ThreadState => {
    let s = threads.get(id);
    if (s === undefined) {
      s = { inFlight: 0, abandoned: 0, draining: false };
      threads.set(id, s);
    }
    return s;
  };

  /** Threads told to terminate; piscina lists them until their 'exit' (ids are never reused). */
  const dead = new Set<number>();

  const maybeRecycle = (id: number, s: ThreadState): void => {
    if (s.draining && s.inFlight === s.abandoned) {
      threads.delete(id);
      dead.add(id);
      if (dead.size > 256) dead.delete(dead.values().next().value!);
      opts.terminate(id);
    }
  };

  return {
    balancer(task, workers) {
      let best: BalancedWorker | null = null;
      for (const w of workers) {
        if (w.terminating || w.destroyed || dead.has(w.id)) continue;
        const s = threads.get(w.id);
        if (s?.draining) continue;
        const usage = s?.inFlight ?? 0;
        if (usage >= opts.perThread) continue;
        if (usage === 0) {
          best = w;
          break;
        }
        if (best === null || usage < (threads.get(best.id)?.inFlight ?? 0)) best = w;
      }
      if (best !== null) {
        const slot = (task as Record<symbol, unknown>)[qsym] as TaskSlot | null | undefined;
        if (slot) slot.threadId = best.id;
        state(best.id).inFlight++;
      }
      return best;
    },
    settled(slot) {
      if (slot.threadId < 0) return;
      const s = threads.get(slot.threadId);
      if (s === undefined) return;
      s.inFlight--;
      if (slot.counted) s.abandoned--;
      if (s.inFlight <= 0 && !s.draining) threads.delete(slot.threadId);
      else maybeRecycle(slot.threadId, s);
    },
    abandon(slot) {
      if (slot.abandoned) return;
      slot.abandoned = true;
      if (slot.threadId < 0) return; // still queued in piscina: the worker skips it (deadline passed)
      const s = threads.get(slot.threadId);
      if (s === undefined) return;
      s.abandoned++;
      slot.counted = true;
      s.draining = true;
      maybeRecycle(slot.threadId, s);
    },
    get draining() {
      let n = 0;
      for (const s of threads.values()) if (s.draining) n++;
      return n;
    },
  };
}

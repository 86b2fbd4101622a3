import type { FunctionRuntime } from '../../src/invoke/runtime.js';
import { percentile, round3 } from './stats.js';

/** One timed pass over a set of events. */
export interface RunStats {
  seconds: number;
  /** CPU time of this whole process (all its threads) during the run, in µs. */
  cpuMicros: number;
  /** Per-call latency in ms, indexed like the events. */
  latencies: number[];
}

/** Sends one event; `i` is the event's index. */
export type BenchCall = (ev: object, i: number) => Promise<unknown>;

/** Keeps `concurrency` calls in flight until every event has been sent once. */
export async function closedLoop(events: readonly object[], concurrency: number, call: BenchCall): Promise<RunStats> {
  const latencies = new Array<number>(events.length);
  let next = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const s = performance.now();
      await call(events[i]!, i);
      latencies[i] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuMicros: c.user + c.system, latencies };
}

/** Throughput, latency percentiles and CPU per batch of a run of `batches` calls of `batchSize` records. */
export function summarizeRun(run: RunStats, batches: number, batchSize: number): Record<string, number> {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    records_per_s: Math.round((batches * batchSize) / run.seconds),
    batches_per_s: Math.round(batches / run.seconds),
    p50_ms: round3(percentile(sorted, 50)),
    p99_ms: round3(percentile(sorted, 99)),
    cpu_us_per_batch: Math.round(run.cpuMicros / batches),
  };
}

/** Each side's fastest round, and every round's stats per side. */
export interface RoundsResult<K extends string> {
  best: Record<K, RunStats>;
  rounds: Record<K, RunStats>[];
}

/**
 * Runs every side over all `events` for `rounds` rounds, in the order of `sides` on even rounds
 * and reversed on odd ones (so no side always runs right after another's garbage), calling
 * `gc()` (when node runs with --expose-gc) before each side.
 */
export async function alternatingRounds<K extends string>(sides: Record<K, BenchCall>, events: readonly object[], concurrency: number, rounds: number): Promise<RoundsResult<K>> {
  const best: Partial<Record<K, RunStats>> = {};
  const all: Record<K, RunStats>[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(sides) as K[];
    if (r % 2 === 1) order.reverse();
    const round: Partial<Record<K, RunStats>> = {};
    for (const side of order) {
      gc?.();
      const a = await closedLoop(events, concurrency, sides[side]);
      round[side] = a;
      const prev = best[side];
      if (prev === undefined || a.seconds < prev.seconds) best[side] = a;
    }
    all.push(round as Record<K, RunStats>);
  }
  return { best: best as Record<K, RunStats>, rounds: all };
}

/**
 * A call through a sluice FunctionRuntime, failing unless the invoke succeeds (request ids
 * `r<i>`, no abort, payload size not measured).
 */
export function runtimeCall(rt: FunctionRuntime): BenchCall {
  const signal = new AbortController().signal;
  return async (ev, i) => {
    const r = await rt.invoke(ev, { signal, payloadBytes: 0, requestId: `r${i}` });
    if (r.kind !== 'success') throw new Error(`invoke failed: ${JSON.stringify(r)}`);
    return r.payload;
  };
}

/** Warms each call (thread start, module import, JIT) over the first `n` events, one after another. */
export async function warmUp(events: readonly object[], concurrency: number, calls: readonly BenchCall[], n = 300): Promise<void> {
  for (const call of calls) await closedLoop(events.slice(0, n), concurrency, call);
}

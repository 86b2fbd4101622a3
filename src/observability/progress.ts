import { systemClock, type Clock } from '../core/clock.js';
import type { PipelineEventBus } from './events.js';

/** Counters of one interval and since the start. Built from per-batch events only. */
export interface ProgressSnapshot {
  readonly intervalMs: number;
  readonly polled: number;
  readonly invoked: number;
  readonly failed: number;
  readonly batches: number;
  /** Records per invoke in this interval; 0 when nothing was invoked. */
  readonly meanBatchSize: number;
  /** Highest IteratorAge (ms) reported in this interval; undefined when no stream reported. */
  readonly maxIteratorAgeMs: number | undefined;
  /** Highest Kafka OffsetLag reported in this interval; undefined when no Kafka shard reported. */
  readonly maxOffsetLag: number | undefined;
  readonly totals: { readonly polled: number; readonly invoked: number; readonly failed: number; readonly batches: number };
}

export interface ProgressOptions {
  readonly events: PipelineEventBus;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Where lines go. Default: stdout. */
  readonly write?: (line: string) => void;
  /** Default systemClock (its timers are unref()'d). */
  readonly clock?: Clock;
}

export interface ProgressReporter {
  /** Computes the current interval's numbers and starts a new interval (used by the timer). */
  tick(): ProgressSnapshot;
  /** Unsubscribes and clears the timer. Idempotent. */
  stop(): void;
}

const perSecond = (n: number, ms: number): string => {
  const v = (n * 1000) / ms;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
};

/** One console line, e.g. `progress: polled 50/s, invoked 50/s, failed 0/s, batches 5/s, mean batch 10.0, iterator age 12 ms | totals: ...`. */
export function formatProgress(s: ProgressSnapshot): string {
  const lag: string[] = [];
  if (s.maxIteratorAgeMs !== undefined) lag.push(`iterator age ${s.maxIteratorAgeMs} ms`);
  if (s.maxOffsetLag !== undefined) lag.push(`offset lag ${s.maxOffsetLag}`);
  return (
    `progress: polled ${perSecond(s.polled, s.intervalMs)}/s, invoked ${perSecond(s.invoked, s.intervalMs)}/s, ` +
    `failed ${perSecond(s.failed, s.intervalMs)}/s, batches ${perSecond(s.batches, s.intervalMs)}/s, ` +
    `mean batch ${s.meanBatchSize.toFixed(1)}, lag ${lag.length ? lag.join(', ') : '-'} | ` +
    `totals: polled ${s.totals.polled}, invoked ${s.totals.invoked}, failed ${s.totals.failed}, batches ${s.totals.batches}`
  );
}

/** Subscribes to the pipeline events and prints a progress line every interval. */
export function startProgress(opts: ProgressOptions): ProgressReporter {
  const intervalMs = opts.intervalMs ?? 1000;
  const clock = opts.clock ?? systemClock;
  const write = opts.write ?? ((line: string) => void process.stdout.write(line + '\n'));
  const totals = { polled: 0, invoked: 0, failed: 0, batches: 0 };
  let cur = { polled: 0, invoked: 0, failed: 0, batches: 0, invokedRecords: 0, age: undefined as number | undefined, lag: undefined as number | undefined };
  const fresh = (): typeof cur => ({ polled: 0, invoked: 0, failed: 0, batches: 0, invokedRecords: 0, age: undefined, lag: undefined });

  const offs = [
    opts.events.on('polled', (e) => {
      cur.polled += e.count;
      totals.polled += e.count;
    }),
    opts.events.on('invoked', (e) => {
      cur.batches++;
      totals.batches++;
      cur.invokedRecords += e.count;
      if (e.ok) {
        cur.invoked += e.count;
        totals.invoked += e.count;
      } else {
        cur.failed += e.count;
        totals.failed += e.count;
      }
    }),
    opts.events.on('iteratorAge', (e) => {
      cur.age = Math.max(cur.age ?? 0, e.ms);
    }),
    opts.events.on('offsetLag', (e) => {
      cur.lag = Math.max(cur.lag ?? 0, e.lag);
    }),
  ];

  const tick = (): ProgressSnapshot => {
    const c = cur;
    cur = fresh();
    return {
      intervalMs,
      polled: c.polled,
      invoked: c.invoked,
      failed: c.failed,
      batches: c.batches,
      meanBatchSize: c.batches ? c.invokedRecords / c.batches : 0,
      maxIteratorAgeMs: c.age,
      maxOffsetLag: c.lag,
      totals: { ...totals },
    };
  };

  let stopped = false;
  let cancel: () => void = () => {};
  const arm = (): void => {
    cancel = clock.setTimer(() => {
      if (stopped) return;
      write(formatProgress(tick()));
      arm();
    }, intervalMs);
  };
  arm();

  return {
    tick,
    stop() {
      if (stopped) return;
      stopped = true;
      cancel();
      for (const off of offs) off();
    },
  };
}

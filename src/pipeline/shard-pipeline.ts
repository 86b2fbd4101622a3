/**
 * The pipeline of one shard (ShardSink): a bounded buffer fed by the source, the batcher, the
 * invokes, and the settling of finished records — checkpoints over the contiguous finished
 * prefix (ordered: Kinesis, DynamoDB, Kafka) or complete/release per batch (queues: SQS, MQ).
 */
import type { Clock } from '../core/clock.js';
import { AbortedError } from '../core/errors.js';
import type { ShardId } from '../core/ids.js';
import type { MappingSpec } from '../core/mapping.js';
import type { FunctionRuntime } from '../invoke/runtime.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { EventEnvelope, PolledRecord, ShardCommitter, ShardSink } from '../sources/source.js';
import { Batcher, type Batch } from '../batching/batcher.js';
import { windowStartFor } from '../batching/window.js';
import { CapacityGate } from './capacity.js';
import { createBatchRunner } from './batch-runner.js';
import type { FailureHandler } from './failure-route.js';
import type { ProcessingReporter } from './invoker.js';
import type { PlanFactory } from './ordered-batch.js';
import { defaultMaxPendingRecords, resolvePipelineOptions, type ShardPipelineOptions } from './pipeline-options.js';
import { createPollIntake } from './poll-intake.js';
import { createSettlement, type Settlement } from './settlement.js';
import type { WindowStateLoader } from './windowed-shard.js';

export interface ShardPipelineDeps {
  readonly mapping: MappingSpec;
  readonly shardId: ShardId;
  readonly committer: ShardCommitter;
  readonly envelope: EventEnvelope;
  /** Looked up per invoke (a missing function is a `PROBLEM:` and a throttle-like retry). */
  readonly runtime: () => FunctionRuntime | undefined;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  readonly clock: Clock;
  /** FilterCriteria: false = filtered out (finished without invoke). Undefined = no filter. */
  readonly accept?: (record: PolledRecord) => boolean;
  /** The mapping's OnFailure destination (ordered sources); without it given-up records are dropped. */
  readonly onFailure?: FailureHandler;
  /** LastProcessingResult feed. */
  readonly report?: ProcessingReporter;
  readonly options?: ShardPipelineOptions;
  /** Failure plan of ordered batches. Default: failure/batch-plan with the mapping's settings. */
  readonly plan?: PlanFactory;
  /** awsRequestId generator. Default randomUUID. */
  readonly requestId?: () => string;
  /**
   * Tumbling windows (TumblingWindowInSeconds > 0): the shard's stored window state (the
   * CheckpointStore's `windowState`), read once when the shard opens. Default: none (new window).
   */
  readonly initialWindowState?: WindowStateLoader;
}

/** A ShardSink plus controls the engine uses. */
export interface ShardPipeline extends ShardSink {
  /** Stops starting batches (in-flight ones finish); push() still buffers up to the limits. */
  pause(): void;
  resume(): void;
  readonly closed: boolean;
  /** Batches currently in flight. */
  readonly inFlight: number;
}

export function createShardPipeline(d: ShardPipelineDeps): ShardPipeline {
  const { mapping, shardId, committer, events, logger, clock } = d;
  const o = resolvePipelineOptions(mapping, d.options);
  const batcher = new Batcher({
    batchSize: mapping.BatchSize,
    windowMs: mapping.batchingWindowMs,
    windowStart: windowStartFor(mapping.sourceKind),
    overheadBytes: d.envelope.overheadBytes,
    maxInFlight: o.maxInFlight,
    ...(o.payloadLimitBytes !== undefined ? { limitBytes: o.payloadLimitBytes } : {}),
  });
  const gate = new CapacityGate(o.maxPendingRecords, o.maxPendingBytes);
  const stopAc = new AbortController(); // abandon: no new invokes, backoffs, deliveries
  const invokeAc = new AbortController(); // hard deadline: abort in-flight invokes
  const active = new Set<Promise<void>>();
  let paused = false;
  let flushing = false;
  let closing = false;
  let abandoned = false;
  let closePromise: Promise<void> | undefined;
  const drainStop = new AbortController(); // ends a drain early (deadline or abandon)
  const cleanups: (() => void)[] = [];
  let timer: { at: number; cancel: () => void } | undefined;
  const report: ProcessingReporter = d.report ?? (() => {});

  const runner = createBatchRunner({
    mapping,
    shardId,
    committer,
    envelope: d.envelope,
    runtime: d.runtime,
    events,
    logger,
    clock,
    report,
    options: o,
    onFailure: d.onFailure,
    plan: d.plan,
    requestId: d.requestId,
    initialWindowState: d.initialWindowState,
    stop: stopAc.signal,
    invokeSignal: invokeAc.signal,
    finishOrdered: (seqs) => settlement.finish(seqs),
    settleQueue: (rs, how) => settlement.settle(rs, how),
    buffered: () => batcher.buffered,
    track: (p) => track(p),
  });
  const windowed = runner.windowed;
  const settlement: Settlement = createSettlement({ mapping, shardId, committer: runner.committer, events, logger, clock, gate, signal: stopAc.signal, backoffMs: o.ioBackoffMs });
  const settleQueue = settlement.settle;

  const track = (p: Promise<void>): void => {
    const t = p.finally(() => active.delete(t));
    active.add(t);
  };

  /** One batch: run (retried on a throw), then free its slot, start what can start, untrack. */
  const start = (batch: Batch): void => {
    // runner.run settles asynchronously, so `t` is set before `done` can run.
    const done = (): void => {
      const now = clock.now();
      batcher.complete(batch, now);
      pump(now);
      active.delete(t);
    };
    const t: Promise<void> = runner.run(batch).then(done, (err: unknown) => {
      done();
      throw err;
    });
    active.add(t);
  };

  const clearTimer = (): void => {
    timer?.cancel();
    timer = undefined;
  };

  /** Starts every batch that can start now. `at`: the current time, when the caller just read it. */
  function pump(at?: number): void {
    if (paused || abandoned) return;
    for (;;) {
      // Nothing buffered or no free slot ('empty' / 'blocked'): settled without reading the clock.
      if (batcher.buffered === 0 || batcher.inFlight >= batcher.maxInFlight) {
        clearTimer();
        return;
      }
      const r = batcher.take(at ?? clock.now(), flushing);
      at = undefined;
      if (r.kind === 'batch') {
        start(r.batch);
        continue;
      }
      if (r.kind === 'wait') {
        if (timer?.at === r.atMs) return;
        clearTimer();
        const t = { at: r.atMs, cancel: () => {} };
        t.cancel = clock.setTimer(() => {
          if (timer === t) timer = undefined;
          pump();
        }, r.atMs - clock.now());
        timer = t;
        return;
      }
      clearTimer();
      return;
    }
  }

  const intake = createPollIntake({
    mapping,
    shardId,
    ordered: o.ordered,
    batcher,
    settlement,
    gate,
    events,
    logger,
    clock,
    accept: d.accept,
    completeFiltered: (rs) => track(settleQueue(rs, 'complete')),
  });
  const accept = (records: readonly PolledRecord[]): void => {
    intake(records);
    pump();
  };

  const abandon = async (): Promise<void> => {
    abandoned = true;
    clearTimer();
    windowed?.dispose();
    stopAc.abort(new AbortedError('shard abandoned', { shardId }));
    const left = batcher.drainBuffer();
    if (!o.ordered && left.length > 0) track(settleQueue(left, 'release'));
    while (active.size > 0) await Promise.allSettled([...active]);
    await settlement.idle();
    gate.reset();
  };

  const sink: ShardPipeline = {
    shardId,
    get pending() {
      return gate.records;
    },
    get closed() {
      return closing;
    },
    get inFlight() {
      return batcher.inFlight;
    },
    async push(records, signal) {
      if (closing) throw new AbortedError('shard closed', { shardId });
      if (records.length === 0) return;
      await gate.waitForRoom(signal);
      if (closing) throw new AbortedError('shard closed', { shardId });
      accept(records);
    },
    setMaxInFlight(n) {
      batcher.setMaxInFlight(windowed ? 1 : n);
      if (!o.explicitMaxPending) gate.setMaxRecords(defaultMaxPendingRecords(mapping.BatchSize, batcher.maxInFlight));
      pump();
    },
    drained(signal) {
      return gate.waitEmpty(signal);
    },
    pause() {
      paused = true;
      clearTimer();
    },
    resume() {
      paused = false;
      pump();
    },
    close(how) {
      // Escalation: a close signal is the hard deadline (stop draining, abort in-flight invokes);
      // a later close({ mode: 'abandon' }) ends a drain in progress. Same promise every time.
      const sig = how.signal;
      if (sig) {
        const hard = (): void => {
          drainStop.abort();
          invokeAc.abort(new AbortedError('shard close deadline passed', { shardId }));
        };
        if (sig.aborted) hard();
        else {
          sig.addEventListener('abort', hard, { once: true });
          cleanups.push(() => sig.removeEventListener('abort', hard));
        }
      }
      if (how.mode === 'abandon') drainStop.abort();
      closePromise ??= (async () => {
        closing = true;
        gate.close(new AbortedError('shard closed', { shardId }));
        try {
          if (how.mode === 'drain' && !drainStop.signal.aborted) {
            flushing = true;
            paused = false;
            pump();
            try {
              await gate.waitEmpty(drainStop.signal);
              while (active.size > 0) await Promise.allSettled([...active]);
              if (windowed && how.shardEnded) await windowed.endShard(drainStop.signal);
              windowed?.dispose();
              clearTimer();
              return;
            } catch {
              // deadline passed or abandon asked for: abandon what is left
            }
          }
          await abandon();
        } finally {
          for (const c of cleanups.splice(0)) c();
        }
      })();
      return closePromise;
    },
  };
  return sink;
}

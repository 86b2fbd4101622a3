/**
 * How a shard pipeline runs one batch: the invoker, the failure plan, the ordered / queue /
 * tumbling-window branch, and the retry of a batch that throws unexpectedly. The deps of each
 * branch are built once per shard (not per batch), so the per-batch cost is the run itself.
 */
import type { EventEnvelope, PolledRecord, ShardCommitter } from '../sources/source.js';
import type { Batch } from '../batching/batcher.js';
import { routeFailure } from './failure-route.js';
import { createInvoker, defaultRequestId, type ProcessingReporter } from './invoker.js';
import { planFromMapping, runOrderedBatch, type OrderedBatchDeps, type PlanFactory } from './ordered-batch.js';
import type { ResolvedPipelineOptions } from './pipeline-options.js';
import { runQueueBatch, type QueueBatchDeps } from './queue-batch.js';
import { retryUnexpected } from './retry-unexpected.js';
import type { ShardPipelineDeps } from './shard-pipeline.js';
import { createWindowedShard, tumblingWindowSeconds, type WindowedShard } from './windowed-shard.js';

/** The shard pipeline's deps (documented on ShardPipelineDeps) plus what the pipeline resolves or owns. */
export interface BatchRunnerDeps
  extends Pick<
    ShardPipelineDeps,
    'mapping' | 'shardId' | 'committer' | 'envelope' | 'runtime' | 'events' | 'logger' | 'clock' | 'onFailure' | 'plan' | 'requestId' | 'initialWindowState'
  > {
  readonly report: ProcessingReporter;
  readonly options: ResolvedPipelineOptions;
  /** Abandon: no new invokes, backoffs, deliveries. */
  readonly stop: AbortSignal;
  /** Hard deadline: aborts in-flight invokes. */
  readonly invokeSignal: AbortSignal;
  /** Ordered: these records (by sequence number) are finished. */
  readonly finishOrdered: (seqs: readonly number[]) => void;
  /** Queue: delete/ack or release these records. */
  readonly settleQueue: (records: readonly PolledRecord[], how: 'complete' | 'release') => Promise<void>;
  /** Records buffered and not yet in a batch (windowed: the end-of-window timer waits for them). */
  readonly buffered: () => number;
  /** Registers background work so close/abandon waits for it. */
  readonly track: (p: Promise<void>) => void;
}

export interface BatchRunner {
  /** Runs the batch to the end; a batch that throws is retried after backoff until `stop`. */
  run(batch: Batch): Promise<void>;
  /** The tumbling-window branch, when TumblingWindowInSeconds applies. */
  readonly windowed: WindowedShard | undefined;
  /** The committer the settlement must use (windowed: each checkpoint carries the window state). */
  readonly committer: ShardCommitter;
}

export function createBatchRunner(d: BatchRunnerDeps): BatchRunner {
  const { mapping, shardId, events, logger, clock, report, options: o } = d;
  const requestId = d.requestId ?? defaultRequestId;
  const makeInvoke = (envelope: EventEnvelope): OrderedBatchDeps['invoke'] =>
    createInvoker({ mapping, shardId, envelope, runtime: d.runtime, events, clock, report, requestId });
  const invoke = makeInvoke(d.envelope);
  const plan: PlanFactory = d.plan ?? planFromMapping(mapping, o.invokeBackoffMs);
  const routeCtx = { events, logger, clock, backoffMs: o.ioBackoffMs, ...(d.onFailure ? { handler: d.onFailure } : {}) };
  const ordered: Omit<OrderedBatchDeps, 'invoke'> = {
    plan,
    clock,
    finish: d.finishOrdered,
    envelopeOverhead: d.envelope.overheadBytes,
    stop: d.stop,
    invokeSignal: d.invokeSignal,
    fail: (info, signal) => routeFailure(routeCtx, { ...info, mapping, shardId, timestamp: clock.now() }, signal),
  };
  // Tumbling windows: a separate branch (one batch at a time, split by window, state persisted).
  const windowed =
    o.ordered && tumblingWindowSeconds(mapping) > 0
      ? createWindowedShard(
          {
            mapping,
            shardId,
            clock,
            logger,
            envelope: d.envelope,
            makeInvoke,
            ordered,
            backoffMs: o.invokeBackoffMs,
            buffered: d.buffered,
            track: d.track,
            ...(d.initialWindowState ? { initialWindowState: d.initialWindowState } : {}),
          },
          d.committer,
        )
      : undefined;
  const orderedDeps: OrderedBatchDeps = { ...ordered, invoke };
  const queueDeps: QueueBatchDeps = {
    invoke,
    reportBatchItemFailures: mapping.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    fifo: mapping.fifo,
    complete: (rs) => d.settleQueue(rs, 'complete'),
    release: (rs) => d.settleQueue(rs, 'release'),
    oversized: (rs) => logger.warn('message exceeds the 6 MB invoke payload limit; released', { shardId, id: rs[0]?.id, bytes: rs[0]?.payloadBytes }),
    invokeSignal: d.invokeSignal,
  };
  const runBatch: (batch: Batch) => Promise<void> = windowed
    ? (batch) => windowed.runBatch(batch)
    : o.ordered
    ? (batch) => runOrderedBatch(batch, orderedDeps)
    : (batch) => runQueueBatch(batch, queueDeps);
  const retry = {
    signal: d.stop,
    clock,
    backoffMs: o.ioBackoffMs,
    onError: (err: unknown, attempt: number) => {
      logger.error('batch failed unexpectedly; retrying it', { shardId, attempt, err });
      report(`Internal error: ${err instanceof Error ? err.message : String(err)}`);
    },
  };

  return {
    run(batch) {
      // The common case (no throw) is the batch's own promise; retryUnexpected takes over after a throw.
      return runBatch(batch).catch((err: unknown) => retryUnexpected(() => runBatch(batch), retry, err));
    },
    windowed,
    committer: windowed?.committer ?? d.committer,
  };
}

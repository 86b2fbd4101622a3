/**
 * One running instance of a mapping: its Source (started with retry while the source cannot
 * reach its server), the shard pipelines it opened, and an orderly stop (source stop with the
 * deadline, then every shard closed — drain until the deadline, abandon after).
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';
import { AbortedError } from '../core/errors.js';
import type { MappingSpec } from '../core/mapping.js';
import type { FunctionRuntime } from '../invoke/runtime.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { AwsSettings, PolledRecord, Source, SourceContext } from '../sources/source.js';
import type { CheckpointStore } from '../state/store.js';
import type { FailureHandler } from './failure-route.js';
import type { ShardPipelineOptions } from './pipeline-options.js';
import { createShardPipeline, type ShardPipeline } from './shard-pipeline.js';
import { tumblingWindowSeconds } from './windowed-shard.js';

export interface MappingRunDeps {
  readonly spec: MappingSpec;
  readonly runtimes: { get(name: string): FunctionRuntime | undefined };
  readonly sourceFactory: (spec: MappingSpec) => Source;
  readonly checkpoints: CheckpointStore;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly aws: AwsSettings;
  readonly onFailure?: FailureHandler;
  readonly accept?: (record: PolledRecord) => boolean;
  readonly pipelineOptions?: ShardPipelineOptions;
  /** Source problems (`reportProblem`) and invoke results: null = OK. */
  readonly problem: (p: string | null) => void;
  readonly invoked: () => void;
  readonly startBackoffMs: (attempt: number) => number;
}

export interface MappingRun {
  /** Resolves after the first start attempt (success, or failure reported as a PROBLEM and retried). */
  readonly started: Promise<void>;
  stop(deadlineMs: number): Promise<void>;
}

export function startMappingRun(d: MappingRunDeps): MappingRun {
  const { spec, clock } = d;
  const logger = d.logger.child({ mappingUuid: spec.UUID });
  const ctxAc = new AbortController();
  const retryAc = new AbortController();
  const shards = new Set<ShardPipeline>();
  let source: Source | undefined;
  let stopping: Promise<void> | undefined;

  const ctx: SourceContext = {
    mapping: spec,
    signal: ctxAc.signal,
    clock,
    logger,
    events: d.events,
    checkpoints: d.checkpoints,
    aws: d.aws,
    reportProblem: (p) => d.problem(p),
    openShard(shardId, committer, envelope) {
      const p = createShardPipeline({
        mapping: spec,
        shardId,
        committer,
        envelope,
        runtime: () => d.runtimes.get(spec.FunctionName),
        events: d.events,
        logger: logger.child({ shardId }),
        clock,
        report: (p) => (p === null ? d.invoked() : d.problem(p)),
        ...(d.accept ? { accept: d.accept } : {}),
        ...(d.onFailure ? { onFailure: d.onFailure } : {}),
        ...(d.pipelineOptions ? { options: d.pipelineOptions } : {}),
        ...(tumblingWindowSeconds(spec) > 0
          ? { initialWindowState: async () => (await d.checkpoints.get(spec.UUID, shardId))?.windowState ?? null }
          : {}),
      });
      shards.add(p);
      if (stopping) void p.close({ mode: 'abandon' });
      return p;
    },
  };

  const closeShards = async (mode: 'drain' | 'abandon', signal?: AbortSignal): Promise<void> => {
    await Promise.allSettled([...shards].map((s) => s.close({ mode, ...(signal ? { signal } : {}) })));
  };

  let resolveFirst!: () => void;
  const started = new Promise<void>((r) => (resolveFirst = r));
  const loop = (async () => {
    for (let attempt = 1; !retryAc.signal.aborted; attempt++) {
      const s = d.sourceFactory(spec);
      source = s;
      try {
        await s.start(ctx);
        resolveFirst();
        return;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        logger.warn('source failed to start; retrying', { attempt, err });
        d.problem(msg);
        resolveFirst();
        await s.stop({ deadlineMs: 0 }).catch(() => {});
        await closeShards('abandon');
        shards.clear();
        source = undefined;
        try {
          await delay(d.startBackoffMs(attempt), retryAc.signal, clock);
        } catch {
          return;
        }
      }
    }
    resolveFirst();
  })();

  return {
    started,
    stop(deadlineMs) {
      stopping ??= (async () => {
        retryAc.abort(new AbortedError('mapping stopping'));
        // A wall-clock, ref'd timer: the process stays up until the deadline even when only
        // unref'd housekeeping timers (backoffs) are left.
        const deadline = new AbortController();
        const t = setTimeout(() => deadline.abort(new AbortedError('stop deadline passed')), Math.max(0, deadlineMs));
        const cancel = (): void => clearTimeout(t);
        try {
          // Stop the current source first: a start still in progress ends with it.
          const s = source;
          if (s) {
            const stopped = s.stop({ deadlineMs }).catch((err: unknown) => logger.warn('source stop failed', { err }));
            await Promise.race([stopped, untilAborted(deadline.signal)]);
          }
          // Shards the source did not close drain until the deadline; after it they are abandoned
          // (which also ends a drain the source started without a deadline).
          await closeShards(deadline.signal.aborted ? 'abandon' : 'drain', deadline.signal);
          await loop;
        } finally {
          cancel();
          ctxAc.abort(new AbortedError('mapping stopped'));
        }
      })();
      return stopping;
    },
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

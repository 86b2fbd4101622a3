import { ManualClock } from '../../src/core/clock.js';
import { shardId } from '../../src/core/ids.js';
import type { MappingSpec, SourceKind } from '../../src/core/mapping.js';
import { PipelineEventBus, type PipelineEventMap, type PipelineEventName } from '../../src/observability/events.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createShardPipeline, type ShardPipeline, type ShardPipelineDeps } from '../../src/pipeline/shard-pipeline.js';
import { testMapping } from '../support/mapping.js';
import { recordsEnvelope } from '../batching/records.js';
import { FakeRuntime, RecordingCommitter } from './fakes.js';

export interface Harness {
  readonly clock: ManualClock;
  readonly runtime: FakeRuntime;
  readonly committer: RecordingCommitter;
  readonly events: PipelineEventBus;
  readonly seen: { [K in PipelineEventName]: PipelineEventMap[K][] };
  readonly problems: (string | null)[];
  readonly pipeline: ShardPipeline;
  readonly mapping: MappingSpec;
}

export function harness(kind: SourceKind, over: Partial<MappingSpec> = {}, deps: Partial<ShardPipelineDeps> = {}): Harness {
  const clock = new ManualClock();
  const runtime = new FakeRuntime();
  const committer = new RecordingCommitter();
  const events = new PipelineEventBus();
  const seen = {} as Harness['seen'];
  const names: PipelineEventName[] = ['polled', 'filtered', 'invoked', 'dropped', 'deleted', 'destinationDelivered', 'checkpointed', 'inflight', 'processingResult'];
  for (const name of names) {
    const list: unknown[] = [];
    (seen as Record<string, unknown[]>)[name] = list;
    events.on(name, (e) => list.push(e));
  }
  const problems: (string | null)[] = [];
  const mapping = testMapping(kind, over);
  const pipeline = createShardPipeline({
    mapping,
    shardId: shardId('shard-0'),
    committer,
    envelope: recordsEnvelope,
    runtime: () => runtime,
    events,
    logger: silentLogger,
    clock,
    report: (p) => problems.push(p),
    options: { invokeBackoffMs: () => 1000, ioBackoffMs: () => 100 },
    ...deps,
  });
  return { clock, runtime, committer, events, seen, problems, pipeline, mapping };
}

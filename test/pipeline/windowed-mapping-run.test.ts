/**
 * A mapping run (the engine's per-mapping runner) opens windowed shards with the window state
 * stored in the CheckpointStore, and the real ShardCheckpointer persists the new state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { shardId } from '../../src/core/ids.js';
import type { MappingSpec } from '../../src/core/mapping.js';
import { openWindow, serializeWindowState, windowBounds } from '../../src/failure/tumbling-window.js';
import { PipelineEventBus } from '../../src/observability/events.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startMappingRun } from '../../src/pipeline/mapping-run.js';
import { ShardCheckpointer } from '../../src/sources/shards/shard-checkpointer.js';
import type { ShardSink, Source, SourceContext } from '../../src/sources/source.js';
import { MemoryCheckpoints } from '../support/fake-source-context.js';
import { testMapping } from '../support/mapping.js';
import { waitFor } from '../support/wait.js';
import { rec, recordsEnvelope } from '../batching/records.js';
import { FakeRuntime, ok } from './fakes.js';

const SHARD = shardId('shardId-000000000000');

class OneShardSource implements Source {
  readonly kind = 'kinesis' as const;
  sink: ShardSink | undefined;
  async start(ctx: SourceContext): Promise<void> {
    const initial = await ctx.checkpoints.get(ctx.mapping.UUID, SHARD);
    const committer = new ShardCheckpointer({ store: ctx.checkpoints, mapping: ctx.mapping.UUID, shard: SHARD, clock: ctx.clock, ...(initial ? { initial } : {}) });
    this.sink = ctx.openShard(SHARD, committer, recordsEnvelope);
  }
  async stop(): Promise<void> {
    await this.sink?.close({ mode: 'drain' });
  }
}

test('mapping run: stored window state reaches the first invoke; the new state is checkpointed', async (t) => {
  const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/tw';
  const spec: MappingSpec = testMapping('kinesis', { EventSourceArn: arn, TumblingWindowInSeconds: 900 });
  const checkpoints = new MemoryCheckpoints();
  const now = Date.now();
  const window = windowBounds(now, 900);
  await checkpoints.put({
    mappingUuid: spec.UUID,
    shardId: SHARD,
    position: '00000009',
    status: 'open',
    windowState: serializeWindowState({ ...openWindow(window), state: { carried: 5 }, stateBytes: 13, invokes: 2 }),
    updatedAt: now,
  });
  const runtime = new FakeRuntime((ns, call) => ok({ state: { carried: 5 + ns.length, call } }));
  const source = new OneShardSource();
  const run = startMappingRun({
    spec,
    runtimes: { get: () => runtime },
    sourceFactory: () => source,
    checkpoints,
    events: new PipelineEventBus(),
    logger: silentLogger,
    clock: systemClock,
    aws: { region: 'us-east-1', accountId: '000000000000', endpoints: {} },
    problem: () => {},
    invoked: () => {},
    startBackoffMs: () => 100,
  });
  t.after(() => run.stop(1000));
  await run.started;
  await source.sink!.push([10, 11, 12].map((i) => rec(i, 'k', { arrivalMs: now })));
  await waitFor(async () => (await checkpoints.get(spec.UUID, SHARD))?.position === '00000012', { timeoutMs: 5000, message: 'checkpoint at 12' });
  const first = runtime.calls[0]!.event as unknown as { state: unknown; shardId: string; eventSourceARN: string };
  assert.deepEqual(first.state, { carried: 5 });
  assert.equal(first.shardId, SHARD);
  assert.equal(first.eventSourceARN, arn);
  const stored = (await checkpoints.get(spec.UUID, SHARD))!.windowState!;
  assert.deepEqual((JSON.parse(stored) as { state: unknown }).state, { carried: 8, call: runtime.calls.length });
});

/**
 * Tumbling windows end to end: the real Kinesis source on kinesalite, the real shard pipeline and
 * checkpointer. The window state is carried between invokes, persisted with the checkpoint, and
 * restored when the mapping starts again.
 */
import { test } from 'node:test';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import type { ShardId } from '../../src/core/ids.js';
import type { FunctionRuntime } from '../../src/invoke/runtime.js';
import { PipelineEventBus } from '../../src/observability/events.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createShardPipeline } from '../../src/pipeline/shard-pipeline.js';
import { createKinesisSource } from '../../src/sources/kinesis/kinesis-source.js';
import type { Source, SourceContext } from '../../src/sources/source.js';
import { MemoryCheckpoints } from '../support/fake-source-context.js';
import { startKinesalite } from '../support/kinesalite.js';
import { testMapping } from '../support/mapping.js';
import { waitFor } from '../support/wait.js';
import { createStream, kinesisClient, listShards, putRecords, waitForActive } from '../sources/kinesis/helpers.js';

interface WindowEvent {
  Records: { kinesis: { data: string } }[];
  window: { start: string; end: string };
  state: { count?: number };
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

test('kinesalite: window state carried, checkpointed with the position, restored after a restart', async (t) => {
  const server = await startKinesalite();
  t.after(() => server.close());
  const kinesis = kinesisClient(server);
  t.after(() => kinesis.destroy());
  const name = await createStream(kinesis, 1, 'tw');
  const arn = server.streamArn(name);
  const mapping = testMapping('kinesis', { EventSourceArn: arn, BatchSize: 4, TumblingWindowInSeconds: 900 });
  const events: WindowEvent[] = [];
  /** Latest returned count per window start: their sum is the number of records seen. */
  const perWindow = new Map<string, number>();
  const runtime: FunctionRuntime = {
    name: 'test-fn',
    functionArn: mapping.FunctionArn,
    async invoke(event) {
      const e = event as WindowEvent;
      events.push(e);
      const count = (e.state.count ?? 0) + e.Records.length;
      perWindow.set(e.window.start, count);
      return { kind: 'success', payload: { state: { count }, batchItemFailures: [] }, durationMs: 1 };
    },
    async close() {},
  };
  const checkpoints = new MemoryCheckpoints();
  const bus = new PipelineEventBus();
  const run = async (): Promise<Source> => {
    const ctx: SourceContext = {
      mapping,
      signal: new AbortController().signal,
      clock: systemClock,
      logger: silentLogger,
      events: bus,
      checkpoints,
      aws: server.aws,
      reportProblem: () => {},
      openShard: (shardId, committer, envelope) =>
        createShardPipeline({
          mapping,
          shardId,
          committer,
          envelope,
          runtime: () => runtime,
          events: bus,
          logger: silentLogger,
          clock: systemClock,
          initialWindowState: async () => (await checkpoints.get(mapping.UUID, shardId))?.windowState ?? null,
        }),
    };
    const source = createKinesisSource(mapping, { pacing: { idleMaxMs: 200 } });
    await source.start(ctx);
    return source;
  };
  const total = (): number => [...perWindow.values()].reduce((a, b) => a + b, 0);
  const [shard] = await listShards(kinesis, name);
  const sid = shard!.ShardId as ShardId;
  const storedCount = async (): Promise<number> => {
    const cp = await checkpoints.get(mapping.UUID, sid);
    if (!cp?.windowState) return -1;
    return (JSON.parse(cp.windowState) as { state: { count?: number } }).state.count ?? 0;
  };

  const first = await run();
  let stopped = false;
  t.after(() => (stopped ? undefined : first.stop({ deadlineMs: 1000 })));
  await putRecords(kinesis, name, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, data: `a${i}` })));
  await waitFor(() => total() === 10, { timeoutMs: 20_000, message: 'first 10 records counted' });
  await waitFor(async () => (await storedCount()) === perWindow.get(events.at(-1)!.window.start), { timeoutMs: 10_000, message: 'window state checkpointed' });
  assert.ok(events.length >= 3, 'BatchSize 4: several invokes carried the state');
  const e0 = events[0]!;
  assert.equal(e0.shardId, sid);
  assert.equal(e0.eventSourceARN, arn);
  assert.equal(e0.isFinalInvokeForWindow, false);
  assert.equal(e0.isWindowTerminatedEarly, false);
  assert.deepEqual(e0.state, {});
  assert.equal(new Date(e0.window.end).getTime() - new Date(e0.window.start).getTime(), 900_000);
  await first.stop({ deadlineMs: 2000 });
  stopped = true;
  const invokesBefore = events.length;

  const second = await run();
  t.after(() => second.stop({ deadlineMs: 1000 }));
  await putRecords(kinesis, name, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, data: `b${i}` })));
  await waitFor(() => events.slice(invokesBefore).reduce((s, e) => s + e.Records.length, 0) >= 5, { timeoutMs: 20_000, message: '5 more records invoked' });
  const after = events.slice(invokesBefore);
  assert.deepEqual(after.flatMap((e) => e.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())), ['b0', 'b1', 'b2', 'b3', 'b4']);
  // Restored state: the counts go on from 10 (a window boundary in between would split 10 + 5 across windows).
  assert.equal(total(), 15);
  assert.notDeepEqual(after[0]!.state, {}, 'the first invoke after the restart carries the restored state');
});

test('kinesalite: a shard that ends (split) closes its window with a final invoke', async (t) => {
  const server = await startKinesalite();
  t.after(() => server.close());
  const kinesis = kinesisClient(server);
  t.after(() => kinesis.destroy());
  const name = await createStream(kinesis, 1, 'twend');
  const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name), TumblingWindowInSeconds: 900 });
  const events: WindowEvent[] = [];
  const runtime: FunctionRuntime = {
    name: 'test-fn',
    functionArn: mapping.FunctionArn,
    async invoke(event) {
      const e = event as WindowEvent;
      events.push(e);
      return { kind: 'success', payload: { state: { count: (e.state.count ?? 0) + e.Records.length } }, durationMs: 1 };
    },
    async close() {},
  };
  const bus = new PipelineEventBus();
  const ctx: SourceContext = {
    mapping,
    signal: new AbortController().signal,
    clock: systemClock,
    logger: silentLogger,
    events: bus,
    checkpoints: new MemoryCheckpoints(),
    aws: server.aws,
    reportProblem: () => {},
    openShard: (shardId, committer, envelope) =>
      createShardPipeline({ mapping, shardId, committer, envelope, runtime: () => runtime, events: bus, logger: silentLogger, clock: systemClock }),
  };
  const source = createKinesisSource(mapping, { pacing: { idleMaxMs: 200 } });
  await source.start(ctx);
  t.after(() => source.stop({ deadlineMs: 1000 }));
  const [root] = await listShards(kinesis, name);
  await putRecords(kinesis, name, Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, data: `r${i}` })));
  await waitFor(() => events.reduce((s, e) => s + e.Records.length, 0) >= 6, { timeoutMs: 20_000, message: '6 records invoked' });
  await kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: root!.ShardId, NewStartingHashKey: '170141183460469231731687303715884105728' }));
  await waitForActive(kinesis, name);
  await waitFor(() => events.some((e) => e.isFinalInvokeForWindow && e.shardId === root!.ShardId), { timeoutMs: 20_000, message: 'final invoke of the parent shard' });
  const fin = events.find((e) => e.isFinalInvokeForWindow)!;
  assert.deepEqual(fin.Records, []);
  assert.equal(fin.isWindowTerminatedEarly, false);
  assert.deepEqual(fin.state, { count: 6 });
  assert.equal(events.filter((e) => e.isFinalInvokeForWindow && e.shardId === root!.ShardId).length, 1);
});

/**
 * The Kinesis source with the real shard pipeline (src/pipeline/shard-pipeline.ts) and a function
 * runtime that records its events: resharding while writing still invokes every record once, in
 * order per key, and the parent is `finished` only after its last batch succeeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { systemClock } from '../../../src/core/clock.js';
import type { FunctionRuntime } from '../../../src/invoke/runtime.js';
import { PipelineEventBus } from '../../../src/observability/events.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createShardPipeline } from '../../../src/pipeline/shard-pipeline.js';
import { createKinesisSource } from '../../../src/sources/kinesis/kinesis-source.js';
import type { SourceContext } from '../../../src/sources/source.js';
import { MemoryCheckpoints } from '../../support/fake-source-context.js';
import { startKinesalite } from '../../support/kinesalite.js';
import { testMapping } from '../../support/mapping.js';
import { waitFor } from '../../support/wait.js';
import { createStream, kinesisClient, listShards, putRecords, waitForActive } from './helpers.js';

test('kinesalite + shard pipeline: split while writing — every record invoked once, per-key order, parent finished', async (t) => {
  const server = await startKinesalite();
  t.after(() => server.close());
  const kinesis = kinesisClient(server);
  t.after(() => kinesis.destroy());
  const name = await createStream(kinesis, 1, 'pipe');
  const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name), BatchSize: 7 });
  const invoked: string[] = [];
  const runtime: FunctionRuntime = {
    name: 'test-fn',
    functionArn: mapping.FunctionArn,
    async invoke(event) {
      for (const r of (event as { Records: { kinesis: { data: string } }[] }).Records) invoked.push(Buffer.from(r.kinesis.data, 'base64').toString());
      return { kind: 'success', payload: null, durationMs: 1 };
    },
    async close() {},
  };
  const checkpoints = new MemoryCheckpoints();
  const events = new PipelineEventBus();
  const ac = new AbortController();
  const ctx: SourceContext = {
    mapping,
    signal: ac.signal,
    clock: systemClock,
    logger: silentLogger,
    events,
    checkpoints,
    aws: server.aws,
    reportProblem: () => {},
    openShard: (shardId, committer, envelope) =>
      createShardPipeline({ mapping, shardId, committer, envelope, runtime: () => runtime, events, logger: silentLogger, clock: systemClock }),
  };
  const source = createKinesisSource(mapping, { pacing: { idleMaxMs: 200 } });
  await source.start(ctx);
  t.after(() => source.stop({ deadlineMs: 1000 }));

  const written: string[] = [];
  const write = async (from: number, n: number): Promise<void> => {
    const recs = Array.from({ length: n }, (_, i) => ({ key: `k${(from + i) % 5}`, data: `k${(from + i) % 5}:${from + i}` }));
    await putRecords(kinesis, name, recs);
    written.push(...recs.map((r) => r.data));
  };
  await write(0, 50);
  const [root] = await listShards(kinesis, name);
  const split = kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: root!.ShardId, NewStartingHashKey: '170141183460469231731687303715884105728' }));
  await write(50, 50);
  await split;
  await waitForActive(kinesis, name);
  await write(100, 50);
  await waitFor(() => invoked.length >= written.length, { timeoutMs: 20_000, message: `${written.length} invoked` });
  assert.equal(invoked.length, written.length);
  assert.deepEqual([...invoked].sort(), [...written].sort());
  const last = new Map<string, number>();
  for (const d of invoked) {
    const [k, n] = d.split(':') as [string, string];
    assert.ok((last.get(k) ?? -1) < Number(n), `order of ${k}`);
    last.set(k, Number(n));
  }
  await waitFor(async () => (await checkpoints.get(mapping.UUID, root!.ShardId as never))?.status === 'finished');
});

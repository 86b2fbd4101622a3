/** The Kinesis source against kinesalite: delivery, exact event shape, checkpoints, starting positions, a deleted stream. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisSource } from '../../../src/sources/kinesis/kinesis-source.js';
import type { PolledRecord, Source } from '../../../src/sources/source.js';
import type { MappingSpec } from '../../../src/core/mapping.js';
import { createFakeSourceContext, MemoryCheckpoints, type FakeContext } from '../../support/fake-source-context.js';
import { startKinesalite, type KinesisTestServer } from '../../support/kinesalite.js';
import { testMapping } from '../../support/mapping.js';
import { waitFor } from '../../support/wait.js';
import { createStream, kinesisClient, putRecords } from './helpers.js';

const dataOf = (r: PolledRecord): string => Buffer.from((r.event as { kinesis: { data: string } }).kinesis.data, 'base64').toString();

describe('Kinesis source (kinesalite)', () => {
  let server: KinesisTestServer;
  let kinesis: KinesisClient;
  const running: Source[] = [];
  before(async () => {
    server = await startKinesalite();
    kinesis = kinesisClient(server);
  });
  after(async () => {
    await Promise.all(running.map((s) => s.stop({ deadlineMs: 1000 })));
    kinesis.destroy();
    await server.close();
  });

  const run = async (mapping: MappingSpec, checkpoints = new MemoryCheckpoints()): Promise<{ source: Source; ctx: FakeContext }> => {
    const ctx = createFakeSourceContext({ mapping, aws: server.aws, checkpoints });
    const source = createKinesisSource(mapping, { pacing: { idleMaxMs: 200 } });
    running.push(source);
    await source.start(ctx);
    return { source, ctx };
  };

  test('delivers every record of every shard once, in order per partition key', async () => {
    const name = await createStream(kinesis, 3);
    const recs = Array.from({ length: 300 }, (_, i) => ({ key: `key-${i % 17}`, data: `${i % 17}:${Math.floor(i / 17)}` }));
    const put = await putRecords(kinesis, name, recs);
    assert.ok(new Set(put.map((p) => p.shardId)).size >= 2, 'records spread over several shards');
    const { source, ctx } = await run(testMapping('kinesis', { EventSourceArn: server.streamArn(name) }));
    await waitFor(() => ctx.all.length >= 300, { message: '300 records delivered' });
    assert.equal(ctx.all.length, 300);
    assert.deepEqual(new Set(ctx.all.map((r) => r.id)), new Set(put.map((p) => p.seq)));
    const lastPerKey = new Map<string, number>();
    for (const r of ctx.all) {
      const [k, n] = dataOf(r).split(':').map(Number) as [number, number];
      assert.equal(r.partitionKey, `key-${k}`);
      assert.ok((lastPerKey.get(r.partitionKey) ?? -1) < n, `order of ${r.partitionKey}`);
      lastPerKey.set(r.partitionKey, n);
    }
    assert.ok(ctx.shards.size >= 2);
    await source.stop();
  });

  test('records have AWS’s exact Kinesis event shape', async () => {
    const name = await createStream(kinesis, 1);
    const arn = server.streamArn(name);
    const [p] = await putRecords(kinesis, name, [{ key: 'pk-é', data: '{"hello":"wörld"}' }]);
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: name, ShardId: p!.shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const raw = (await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }))).Records![0]!;
    const { source, ctx } = await run(testMapping('kinesis', { EventSourceArn: arn, FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));
    await waitFor(() => ctx.all.length === 1);
    const r = ctx.all[0]!;
    const arrival = raw.ApproximateArrivalTimestamp!.getTime();
    const expected = {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'pk-é',
        sequenceNumber: p!.seq,
        data: Buffer.from('{"hello":"wörld"}').toString('base64'),
        approximateArrivalTimestamp: arrival / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${p!.shardId}:${p!.seq}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/sluice',
      awsRegion: server.region,
      eventSourceARN: arn,
    };
    assert.deepEqual(r.event, expected);
    assert.equal(JSON.stringify(r.event), JSON.stringify(expected), 'key order as AWS sends it');
    assert.equal(r.id, p!.seq);
    assert.equal(r.partitionKey, 'pk-é');
    assert.equal(r.arrivalMs, arrival);
    assert.equal(r.payloadBytes, Buffer.byteLength(JSON.stringify(r.event)));
    const shard = ctx.shards.get(p!.shardId as never)!;
    assert.equal(shard.envelope.overheadBytes, Buffer.byteLength(JSON.stringify(shard.envelope.wrap([]))));
    assert.deepEqual(shard.envelope.wrap([r]), { Records: [expected] });
    await source.stop();
  });

  test('resumes after its checkpoint with no loss and no redelivery of checkpointed records', async () => {
    const name = await createStream(kinesis, 2);
    const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name) });
    const checkpoints = new MemoryCheckpoints();
    const first = await putRecords(kinesis, name, Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, data: `a${i}` })));
    const a = await run(mapping, checkpoints);
    await waitFor(() => a.ctx.all.length === 40);
    await a.source.stop();
    const stored = await checkpoints.list(mapping.UUID);
    assert.ok(stored.length >= 1 && stored.every((c) => c.status === 'open' && c.position !== null));
    const second = await putRecords(kinesis, name, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, data: `b${i}` })));
    const b = await run(mapping, checkpoints);
    await waitFor(() => b.ctx.all.length >= 30);
    assert.deepEqual(new Set(b.ctx.all.map((r) => r.id)), new Set(second.map((p) => p.seq)));
    assert.ok(first.every((p) => !b.ctx.all.some((r) => r.id === p.seq)));
    await b.source.stop();
  });

  test('records handed over but not checkpointed are delivered again after a restart', async () => {
    const name = await createStream(kinesis, 1);
    const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name) });
    const checkpoints = new MemoryCheckpoints();
    await putRecords(kinesis, name, Array.from({ length: 5 }, (_, i) => ({ key: 'k', data: `a${i}` })));
    const a = await run(mapping, checkpoints);
    await waitFor(() => a.ctx.all.length === 5);
    a.ctx.policy = 'hold';
    await putRecords(kinesis, name, Array.from({ length: 5 }, (_, i) => ({ key: 'k', data: `b${i}` })));
    await waitFor(() => a.ctx.all.length === 10);
    await a.source.stop({ deadlineMs: 200 });
    const b = await run(mapping, checkpoints);
    await waitFor(() => b.ctx.all.length >= 5);
    assert.deepEqual(b.ctx.all.map(dataOf), ['b0', 'b1', 'b2', 'b3', 'b4']);
    await b.source.stop();
  });

  test('LATEST skips what was written before the start; AT_TIMESTAMP starts at the timestamp', async () => {
    const name = await createStream(kinesis, 2);
    await putRecords(kinesis, name, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, data: `old${i}` })));
    const cut = Date.now();
    await waitFor(() => Date.now() > cut + 5);
    const latest = await run(testMapping('kinesis', { EventSourceArn: server.streamArn(name), StartingPosition: 'LATEST' }));
    // Every shard has an iterator once each has polled once.
    const polled = new Set<string>();
    latest.ctx.events.on('iteratorAge', (e) => polled.add(e.shard));
    await waitFor(() => polled.size === 2);
    const fresh = await putRecords(kinesis, name, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, data: `new${i}` })));
    await waitFor(() => latest.ctx.all.length >= 10);
    assert.deepEqual(new Set(latest.ctx.all.map((r) => r.id)), new Set(fresh.map((p) => p.seq)));

    const at = await run(testMapping('kinesis', { EventSourceArn: server.streamArn(name), StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: (cut + 1) / 1000 }));
    await waitFor(() => at.ctx.all.length >= 10);
    assert.deepEqual(at.ctx.all.map(dataOf).sort(), fresh.map((_, i) => `new${i}`).sort());
    const horizon = await run(testMapping('kinesis', { EventSourceArn: server.streamArn(name), StartingPosition: 'TRIM_HORIZON' }));
    await waitFor(() => horizon.ctx.all.length >= 20);
    assert.equal(horizon.ctx.all.length, 20);
    await Promise.all([latest.source.stop(), at.source.stop(), horizon.source.stop()]);
    assert.equal(latest.ctx.all.length, 10);
    assert.equal(at.ctx.all.length, 10);
  });

  test('a deleted stream is reported as a problem; the source keeps running and stops cleanly', async () => {
    const name = await createStream(kinesis, 1);
    await putRecords(kinesis, name, [{ key: 'k', data: 'x' }]);
    const { source, ctx } = await run(testMapping('kinesis', { EventSourceArn: server.streamArn(name) }));
    await waitFor(() => ctx.all.length === 1);
    await kinesis.send(new DeleteStreamCommand({ StreamName: name }));
    const problem = await waitFor(() => ctx.problems.find((p) => p !== null));
    assert.match(problem, new RegExp(`^Kinesis stream ${server.streamArn(name)} not found: ResourceNotFoundException`));
    await source.stop();
  });

  test('start rejects with a SourceError when the stream does not exist', async () => {
    const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn('no-such-stream') });
    const ctx = createFakeSourceContext({ mapping, aws: server.aws });
    const source = createKinesisSource(mapping);
    await assert.rejects(source.start(ctx), (e: unknown) => (e as { code?: string }).code === 'STREAM_NOT_FOUND');
    await source.stop();
  });
});

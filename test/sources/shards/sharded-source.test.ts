/** The shared stream Source over an in-memory StreamApi: lineage across split/merge, LATEST on a resharded stream, problems. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IteratorStart } from '../../../src/sources/shards/stream-api.js';
import { createShardedSource } from '../../../src/sources/shards/sharded-source.js';
import { createFakeSourceContext, MemoryCheckpoints } from '../../support/fake-source-context.js';
import { testMapping } from '../../support/mapping.js';
import { waitFor } from '../../support/wait.js';
import { createFakeStream, type FakeShardSpec } from './fake-stream.js';

const FAST = { idleMinMs: 2, idleMaxMs: 10, errorMinMs: 2, errorMaxMs: 10, maxPerSecond: 1000 };
const AWS = { region: 'us-east-1', accountId: '1', endpoints: {} };
const keys = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, atMs: 1000 + i }));

describe('sharded source', () => {
  test('split then merge: every shard read completely, parents strictly before children', async () => {
    const shards: FakeShardSpec[] = [
      { id: '0', closed: true, records: keys(5, 'a') },
      { id: '1', parent: '0', closed: true, records: keys(3, 'b') },
      { id: '2', parent: '0', closed: true, records: keys(4, 'c') },
      { id: '3', parent: '1', adjacent: '2', records: keys(3, 'd') },
    ];
    const fake = createFakeStream(shards);
    const mapping = testMapping('kinesis');
    const store = new MemoryCheckpoints();
    const ctx = createFakeSourceContext({ mapping, aws: AWS, checkpoints: store });
    const source = createShardedSource('kinesis', mapping, () => fake.api, { pacing: FAST });
    await source.start(ctx);
    await waitFor(() => ctx.all.length === 15);
    await source.stop();
    const order = ctx.all.map((r) => (r.event as { shard: string }).shard);
    const last = (s: string) => order.lastIndexOf(s);
    const first = (s: string) => order.indexOf(s);
    assert.ok(last('0') < first('1') && last('0') < first('2'));
    assert.ok(last('1') < first('3') && last('2') < first('3'));
    for (const id of ['0', '1', '2']) assert.equal((await store.get(mapping.UUID, id as never))?.status, 'finished');
    // Children started at TRIM_HORIZON.
    const starts = fake.calls.filter((c) => c.op === 'getIterator') as { shard: string; start: IteratorStart }[];
    assert.deepEqual(starts.map((c) => [c.shard, c.start.type]).sort(), [['0', 'TRIM_HORIZON'], ['1', 'TRIM_HORIZON'], ['2', 'TRIM_HORIZON'], ['3', 'TRIM_HORIZON']]);
  });

  test('LATEST on a stream resharded before the mapping: closed ancestors skipped, open shards at LATEST; restart resumes at the marker time', async () => {
    const shards: FakeShardSpec[] = [
      { id: '0', closed: true, records: keys(5, 'a') },
      { id: '1', parent: '0', records: keys(3, 'b') },
      { id: '2', parent: '0', records: keys(2, 'c') },
    ];
    const fake = createFakeStream(shards);
    const mapping = testMapping('kinesis', { StartingPosition: 'LATEST' });
    const store = new MemoryCheckpoints();
    const ctx = createFakeSourceContext({ mapping, aws: AWS, checkpoints: store });
    const source = createShardedSource('kinesis', mapping, () => fake.api, { pacing: FAST });
    await source.start(ctx);
    await waitFor(() => fake.calls.filter((c) => c.op === 'getRecords').length >= 2);
    await source.stop();
    const starts = fake.calls.filter((c) => c.op === 'getIterator') as { shard: string; start: IteratorStart }[];
    assert.deepEqual(starts.map((c) => [c.shard, c.start.type]).sort(), [['1', 'LATEST'], ['2', 'LATEST']]);
    assert.equal(ctx.all.length, 0);
    const markers = await store.list(mapping.UUID);
    assert.deepEqual(markers.map((m) => [m.shardId, m.status, m.position]).sort(), [['1', 'open', null], ['2', 'open', null]]);

    const fake2 = createFakeStream(shards);
    const ctx2 = createFakeSourceContext({ mapping, aws: AWS, checkpoints: store });
    const again = createShardedSource('kinesis', mapping, () => fake2.api, { pacing: FAST });
    await again.start(ctx2);
    await waitFor(() => fake2.calls.filter((c) => c.op === 'getIterator').length === 2);
    await again.stop();
    const starts2 = fake2.calls.filter((c) => c.op === 'getIterator') as { shard: string; start: IteratorStart }[];
    for (const c of starts2) {
      assert.equal(c.start.type, 'AT_TIMESTAMP');
      assert.equal((c.start as { timestampMs: number }).timestampMs, markers.find((m) => m.shardId === c.shard)!.updatedAt);
    }
  });

  test('a stream that disappears is reported; the report is cleared when it is back', async () => {
    const fake = createFakeStream([{ id: '0', records: keys(2, 'a') }]);
    const mapping = testMapping('kinesis');
    const ctx = createFakeSourceContext({ mapping, aws: AWS });
    const source = createShardedSource('kinesis', mapping, () => fake.api, { pacing: FAST, discoveryIntervalMs: 10 });
    await source.start(ctx);
    await waitFor(() => ctx.all.length === 2);
    fake.failures.push({ op: 'listShards', name: 'ResourceNotFoundException', times: 2 });
    await waitFor(() => ctx.problems.includes(null));
    assert.equal(ctx.problems[0], 'Fake stream not found: ResourceNotFoundException: ResourceNotFoundException');
    await source.stop();
    assert.equal(ctx.all.length, 2);
  });

  test('stop() is idempotent and drains each open shard within the deadline', async () => {
    const fake = createFakeStream([{ id: '0', records: keys(3, 'a') }]);
    const mapping = testMapping('kinesis');
    const ctx = createFakeSourceContext({ mapping, aws: AWS, policy: 'hold' });
    const source = createShardedSource('kinesis', mapping, () => fake.api, { pacing: FAST });
    await source.start(ctx);
    await waitFor(() => ctx.all.length === 3);
    const a = source.stop({ deadlineMs: 50 });
    assert.equal(source.stop(), a);
    await a;
    assert.equal(ctx.shards.get('0' as never)?.closed, 'drain');
  });
});

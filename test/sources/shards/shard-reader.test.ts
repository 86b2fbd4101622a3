/** The per-shard poll loop against an in-memory StreamApi: iterator renewal, throttling, shard end, a lost shard. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/core/clock.js';
import { shardId } from '../../../src/core/ids.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ShardCheckpointer } from '../../../src/sources/shards/shard-checkpointer.js';
import { runShardReader } from '../../../src/sources/shards/shard-reader.js';
import type { IteratorStart } from '../../../src/sources/shards/stream-api.js';
import { createFakeSourceContext, MemoryCheckpoints, type SettlePolicy } from '../../support/fake-source-context.js';
import { testMapping } from '../../support/mapping.js';
import { waitFor } from '../../support/wait.js';
import { createFakeStream, type FakeShardSpec } from './fake-stream.js';

const FAST = { idleMinMs: 2, idleMaxMs: 10, errorMinMs: 2, errorMaxMs: 10, maxPerSecond: 1000 };

function setup(shard: FakeShardSpec, policy: SettlePolicy = 'checkpoint', start: IteratorStart = { type: 'TRIM_HORIZON' }) {
  const fake = createFakeStream([shard]);
  const store = new MemoryCheckpoints();
  const mapping = testMapping('kinesis');
  const ctx = createFakeSourceContext({ mapping, aws: { region: 'us-east-1', accountId: '1', endpoints: {} }, checkpoints: store, policy });
  const id = shardId(shard.id);
  const checkpointer = new ShardCheckpointer({ store, mapping: mapping.UUID, shard: id, clock: systemClock });
  const sink = ctx.openShard(id, checkpointer, fake.api.envelope);
  const ac = new AbortController();
  const run = () =>
    runShardReader({
      api: fake.api, shard: id, mapping: mapping.UUID, sink, checkpointer, start, signal: ac.signal,
      clock: systemClock, events: ctx.events, logger: silentLogger, pacing: FAST,
    });
  return { fake, store, ctx, checkpointer, ac, run, mapping, id };
}

describe('shard reader', () => {
  test('an expired iterator is renewed after the last record handed over: nothing skipped, nothing repeated', async () => {
    const s = setup({ id: 's', records: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}` })) });
    s.fake.failures.push({ op: 'getRecords', name: 'ExpiredIteratorException', times: 1 });
    // First read fails: renewal must use the original start (nothing handed over yet).
    const done = s.run();
    await waitFor(() => s.ctx.all.length === 6);
    s.ac.abort();
    assert.equal((await done).kind, 'stopped');
    const its = s.fake.calls.filter((c) => c.op === 'getIterator').map((c) => (c as { start: IteratorStart }).start);
    assert.deepEqual(its.slice(0, 2), [{ type: 'TRIM_HORIZON' }, { type: 'TRIM_HORIZON' }]);
    assert.deepEqual(s.ctx.all.map((r) => r.id), Array.from({ length: 6 }, (_, i) => s.fake.seqOf('s', i)));
  });

  test('renewal mid-shard starts AFTER_SEQUENCE_NUMBER of the last pushed record, not the checkpoint', async () => {
    const s = setup({ id: 's', records: Array.from({ length: 4 }, (_, i) => ({ key: `k${i}` })) }, 'hold');
    const done = s.run();
    await waitFor(() => s.ctx.all.length === 4);
    s.fake.failures.push({ op: 'getRecords', name: 'ExpiredIteratorException', times: 1 });
    await waitFor(() => s.fake.calls.filter((c) => c.op === 'getIterator').length === 2);
    s.ac.abort();
    await done;
    const renewed = s.fake.calls.filter((c) => c.op === 'getIterator')[1] as { start: IteratorStart };
    assert.deepEqual(renewed.start, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: s.fake.seqOf('s', 3) });
    assert.equal(s.checkpointer.position, null, 'nothing was checkpointed (hold)');
    assert.equal(s.ctx.all.length, 4);
  });

  test('throttling backs off and keeps the iterator', async () => {
    const s = setup({ id: 's', records: [{ key: 'a' }, { key: 'b' }, { key: 'c' }] });
    s.fake.failures.push({ op: 'getRecords', name: 'ProvisionedThroughputExceededException', times: 3 });
    const done = s.run();
    await waitFor(() => s.ctx.all.length === 3);
    s.ac.abort();
    await done;
    assert.equal(s.fake.calls.filter((c) => c.op === 'getIterator').length, 1);
    assert.equal(s.fake.calls.filter((c) => c.op === 'getRecords').length >= 5, true);
  });

  test('a closed shard: pushed, closed, drained with shardEnded, then finished', async () => {
    const s = setup({ id: 's', closed: true, records: [{ key: 'a' }, { key: 'b' }, { key: 'c' }] });
    const outcome = await s.run();
    assert.equal(outcome.kind, 'finished');
    const shard = s.ctx.shards.get(s.id)!;
    assert.equal(shard.closed, 'drain');
    assert.equal(shard.shardEnded, true);
    const cp = await s.store.get(s.mapping.UUID, s.id);
    assert.equal(cp?.status, 'finished');
    assert.equal(cp?.position, s.fake.seqOf('s', 2));
  });

  test('a closed shard whose records are not finished stays closed until stopped', async () => {
    const s = setup({ id: 's', closed: true, records: [{ key: 'a' }] }, 'hold');
    const done = s.run();
    await waitFor(async () => (await s.store.get(s.mapping.UUID, s.id))?.status === 'closed');
    s.ac.abort();
    assert.equal((await done).kind, 'stopped');
    assert.equal((await s.store.get(s.mapping.UUID, s.id))?.status, 'closed');
  });

  test('a shard that no longer exists ends the loop with notFound', async () => {
    const s = setup({ id: 's', records: [{ key: 'a' }] });
    s.fake.failures.push({ op: 'getIterator', name: 'ResourceNotFoundException', times: 1 });
    const outcome = await s.run();
    assert.equal(outcome.kind, 'notFound');
  });
});

/** The Kafka source against librdkafka's mock cluster (3 partitions). */
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaMock, produce, type KafkaMock } from '../../support/kafka.js';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';
import { createKafkaSource } from '../../../src/sources/kafka/kafka-source.js';
import type { KafkaEventRecord } from '../../../src/sources/kafka/event.js';
import { shardId } from '../../../src/core/ids.js';
import { SourceError } from '../../../src/core/errors.js';
import { AWS, MOCK_OPTS, committedOffsets, kafkaContext, kafkaMapping } from './helpers.js';

/**
 * `count` records on partition 0 of `topic` (cluster `brokers`), read by a source whose shard holds them all unsettled;
 * nothing is committed until `checkpoint(records[at])` commits at + 1, stopping commits nothing
 * more, and a new consumer of the group reads from at + 1 on (settling as it goes).
 */
async function checkpointThenResume(t: TestContext, brokers: string[], topic: string, count: number, at: number) {
  const groupId = uniqueName('g');
  await produce(brokers, topic, Array.from({ length: count }, (_, i) => ({ partition: 0, value: `v${i}` })));
  const mapping = kafkaMapping(brokers, topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });
  const ctx = kafkaContext(mapping, 'hold');
  const source = createKafkaSource(mapping, MOCK_OPTS);
  t.after(() => source.stop({ deadlineMs: 100 }));
  await source.start(ctx);
  const shard = await waitFor(() => ctx.shards.get(shardId(`${topic}-0`)), { timeoutMs: 20_000 });
  await waitFor(() => shard.records.length === count, { timeoutMs: 20_000, message: `all ${count} records pushed while none is settled` });
  const held = [...shard.records];

  const offsets = await committedOffsets(brokers, groupId, topic, (fn) => t.after(fn));
  const committed = async (): Promise<string | undefined> => (await offsets()).get(0);
  assert.equal(await committed(), '-1', 'nothing committed before a checkpoint');
  await shard.committer.checkpoint(shard.records[at]!);
  assert.equal(await committed(), String(at + 1), `checkpoint(offset ${at}) commits ${at + 1}`);
  await source.stop({ deadlineMs: 100 });
  assert.equal(await committed(), String(at + 1), 'stopping with records unsettled commits nothing more');

  const resumed = kafkaContext(mapping, 'checkpoint');
  const again = createKafkaSource(mapping, MOCK_OPTS);
  t.after(() => again.stop({ deadlineMs: 100 }));
  await again.start(resumed);
  await waitFor(() => resumed.all.length >= count - at - 1, { timeoutMs: 20_000 });
  return { held, resumed, committed };
}

describe('Kafka source', { concurrency: true }, () => {
  const topics = Array.from({ length: 8 }, (_, i) => uniqueName(`t${i}`));
  let mock: KafkaMock;
  before(async () => {
    mock = await startKafkaMock({ brokers: 3, topics: topics.map((name) => ({ name, partitions: 3 })) });
  });
  after(() => mock.close());

  test('event shape, ids, sizes, envelope per topic-partition, offset lag', async (t) => {
    const topic = topics[0]!;
    await produce(mock.brokers, topic, [
      { partition: 1, key: 'k1', value: '{"a":1}', headers: { h1: 'v1', h2: Buffer.from([0, 255]) }, timestamp: '1700000000123' },
      { partition: 1, key: null, value: 'plain', timestamp: '1700000000456' },
      { partition: 1, key: 'k3', value: null, timestamp: '1700000000789' },
    ]);
    const ctx = kafkaContext(kafkaMapping(mock.brokers, topic), 'hold');
    const lags: number[] = [];
    ctx.events.on('offsetLag', (e) => lags.push(e.lag));
    const source = createKafkaSource(ctx.mapping, MOCK_OPTS);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const key = `${topic}-1`;
    const shard = await waitFor(() => ctx.shards.get(shardId(key)), { timeoutMs: 20_000 });
    await waitFor(() => shard.records.length === 3);
    assert.deepEqual([...ctx.shards.keys()], [key], 'only partitions with data opened a shard');

    const evs = shard.records.map((r) => r.event as KafkaEventRecord);
    assert.deepEqual(evs[0], {
      topic,
      partition: 1,
      offset: 0,
      timestamp: 1700000000123,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('k1').toString('base64'),
      value: Buffer.from('{"a":1}').toString('base64'),
      headers: [{ h1: [...Buffer.from('v1')] }, { h2: [0, 255] }],
    });
    assert.deepEqual(evs[1], {
      topic,
      partition: 1,
      offset: 1,
      timestamp: 1700000000456,
      timestampType: 'CREATE_TIME',
      value: Buffer.from('plain').toString('base64'),
      headers: [],
    });
    assert.equal('key' in evs[1]!, false, 'a null key is omitted');
    assert.equal('value' in evs[2]!, false, 'a null value is omitted');
    assert.deepEqual(
      shard.records.map((r) => [r.id, r.partitionKey, r.arrivalMs, r.ref]),
      [
        ['0', key, 1700000000123, 0n],
        ['1', key, 1700000000456, 1n],
        ['2', key, 1700000000789, 2n],
      ],
    );
    for (const r of shard.records) assert.equal(r.payloadBytes, Buffer.byteLength(JSON.stringify(r.event)));

    const wrapped = shard.envelope.wrap(shard.records);
    assert.deepEqual(wrapped, { eventSource: 'SelfManagedKafka', bootstrapServers: mock.brokers.join(','), records: { [key]: evs } });
    assert.equal(shard.envelope.overheadBytes, Buffer.byteLength(JSON.stringify(shard.envelope.wrap([]))));
    const n = shard.records.length;
    assert.equal(
      Buffer.byteLength(JSON.stringify(wrapped)),
      shard.envelope.overheadBytes + shard.records.reduce((s, r) => s + r.payloadBytes, 0) + n - 1,
    );
    assert.deepEqual(lags, [0], 'one OffsetLag per batch: high watermark − last offset − 1');
  });

  test('MSK-style ARN: bootstrap list from aws.kafkaClusters, eventSource aws:kafka with eventSourceArn', async (t) => {
    const topic = topics[1]!;
    await produce(mock.brokers, topic, [{ partition: 0, value: 'm' }]);
    const arn = 'arn:aws:kafka:us-east-1:000000000000:cluster/test/11111111-2222-3333-4444-555555555555-1';
    const mapping = kafkaMapping([], topic, { EventSourceArn: arn, SelfManagedEventSource: undefined });
    const ctx = kafkaContext(mapping, 'checkpoint', { ...AWS, kafkaClusters: { [arn]: mock.brokers } });
    const source = createKafkaSource(mapping, MOCK_OPTS);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = await waitFor(() => ctx.shards.get(shardId(`${topic}-0`)), { timeoutMs: 20_000 });
    await waitFor(() => shard.records.length === 1);
    const w = shard.envelope.wrap(shard.records) as Record<string, unknown>;
    assert.deepEqual(Object.keys(w), ['eventSource', 'eventSourceArn', 'bootstrapServers', 'records']);
    assert.equal(w.eventSource, 'aws:kafka');
    assert.equal(w.eventSourceArn, arn);
    assert.equal(w.bootstrapServers, mock.brokers.join(','));

    const missing = createKafkaSource(kafkaMapping([], topic, { EventSourceArn: arn + 'x', SelfManagedEventSource: undefined }), MOCK_OPTS);
    await assert.rejects(missing.start(kafkaContext(mapping, 'checkpoint')), (e: unknown) => e instanceof SourceError && e.code === 'KAFKA_CONFIG');
    await missing.stop();
  });

  test('offsets are committed only on checkpoint; a new consumer resumes at the committed offset', async (t) => {
    const { resumed, committed } = await checkpointThenResume(t, mock.brokers, topics[2]!, 10, 4);
    assert.deepEqual(
      resumed.all.map((r) => r.id),
      ['5', '6', '7', '8', '9'],
    );
    await waitFor(async () => (await committed()) === '10');
  });

  test('two instances in one group split the partitions; each record once, in order per partition', async (t) => {
    const topic = topics[3]!;
    const groupId = uniqueName('g');
    const mapping = kafkaMapping(mock.brokers, topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });
    const a = kafkaContext(mapping, 'checkpoint');
    const b = kafkaContext(mapping, 'checkpoint');
    const sa = createKafkaSource(mapping, MOCK_OPTS);
    const sb = createKafkaSource(mapping, MOCK_OPTS);
    t.after(() => Promise.all([sa.stop({ deadlineMs: 100 }), sb.stop({ deadlineMs: 100 })]));
    await Promise.all([sa.start(a), sb.start(b)]);
    await waitFor(() => sa.assigned.size > 0 && sb.assigned.size > 0 && sa.assigned.size + sb.assigned.size === 3, {
      timeoutMs: 30_000,
      message: 'both members hold partitions',
    });
    const n = 600;
    await produce(mock.brokers, topic, Array.from({ length: n }, (_, i) => ({ partition: i % 3, value: String(i) })));
    await waitFor(() => a.all.length + b.all.length >= n, { timeoutMs: 30_000 });
    const keysA = new Set(a.all.map((r) => r.partitionKey));
    const keysB = new Set(b.all.map((r) => r.partitionKey));
    assert.ok(keysA.size > 0 && keysB.size > 0, 'both consumed');
    for (const k of keysA) assert.ok(!keysB.has(k), `partition ${k} consumed by one member only`);
    assert.equal(a.all.length + b.all.length, n, 'no duplicates');
    for (const ctx of [a, b]) {
      for (const [, shard] of ctx.shards) {
        const offs = shard.records.map((r) => Number(r.id));
        assert.deepEqual(offs, [...offs].sort((x, y) => x - y));
        assert.equal(offs[0], 0);
      }
    }
  });

  test('AT_TIMESTAMP (mock: ListOffsets answers the end offset) never delivers the older records', async (t) => {
    const topic = topics[4]!;
    await produce(mock.brokers, topic, Array.from({ length: 5 }, (_, i) => ({ partition: 2, value: `old${i}` })));
    const mapping = kafkaMapping(mock.brokers, topic, {
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const ctx = kafkaContext(mapping, 'checkpoint');
    const source = createKafkaSource(mapping, MOCK_OPTS);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    await waitFor(() => source.assigned.size === 3, { timeoutMs: 20_000 });
    let i = 0;
    await waitFor(
      async () => {
        await produce(mock.brokers, topic, [{ partition: 2, value: `new${i++}` }]);
        return ctx.all.length >= 2;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const offs = ctx.all.map((r) => Number(r.id));
    assert.ok(offs.every((o) => o >= 5), `only records after the start position: ${offs.join(',')}`);
    assert.deepEqual(offs, [...offs].sort((x, y) => x - y));
  });

  test('reads ahead of unsettled records; commits only up to the checkpoint; a new consumer resumes there', async (t) => {
    // Three record batches: the mock answers one per Fetch, so reading all three needs read-ahead.
    const { held, resumed } = await checkpointThenResume(t, mock.brokers, topics[6]!, 3000, 1499);
    assert.deepEqual(
      held.map((r) => Number(r.id)),
      Array.from({ length: 3000 }, (_, i) => i),
      'all three batches pushed while none is settled, in order, each once',
    );
    assert.equal(resumed.all[0]!.id, '1500', 'resumes at the committed offset, not at the read-ahead position');
    assert.equal(resumed.all.length, 1500);
  });

  test('a rebalance revokes partitions with buffered records: none of them is committed, the owners read them again', async (t) => {
    const topic = topics[7]!;
    const groupId = uniqueName('g');
    await produce(mock.brokers, topic, Array.from({ length: 3000 }, (_, i) => ({ partition: i % 3, value: String(i) })));
    const mapping = kafkaMapping(mock.brokers, topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });
    const a = kafkaContext(mapping, 'hold');
    const sa = createKafkaSource(mapping, MOCK_OPTS);
    t.after(() => sa.stop({ deadlineMs: 100 }));
    await sa.start(a);
    await waitFor(() => a.all.length === 3000, { timeoutMs: 30_000, message: 'first member buffered every record' });
    const before = [...a.shards.values()];
    assert.equal(before.length, 3);

    const b = kafkaContext(mapping, 'hold');
    const sb = createKafkaSource(mapping, MOCK_OPTS);
    t.after(() => sb.stop({ deadlineMs: 100 }));
    await sb.start(b);
    await waitFor(() => sa.assigned.size > 0 && sb.assigned.size > 0 && sa.assigned.size + sb.assigned.size === 3, {
      timeoutMs: 30_000,
      message: 'the second member took partitions over',
    });
    await waitFor(() => b.all.length > 0, { timeoutMs: 20_000 });
    for (const s of before) assert.equal(s.closed, 'abandon', `${s.shardId}: unfinished records abandoned by the revoke`);

    // The first member's records finish after the revoke: nothing may be committed for them.
    for (const s of before) await s.committer.checkpoint(s.records[s.records.length - 1]!);
    const offsets = await (await committedOffsets(mock.brokers, groupId, topic, (fn) => t.after(fn)))();
    assert.deepEqual(
      [0, 1, 2].map((p) => offsets.get(p)),
      ['-1', '-1', '-1'],
      'no commit for records that were only buffered when their partition was revoked',
    );
    for (const [, s] of b.shards) assert.equal(s.records[0]!.id, '0', `${s.shardId}: the new owner reads from the committed offset`);
  });
});

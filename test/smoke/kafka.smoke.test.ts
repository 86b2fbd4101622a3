/** Smoke test of the Kafka mock cluster launcher with plain kafkajs (no sluice code). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKafkaMock, testKafka, produce, mockConsumerSettings } from '../support/kafka.js';
import { uniqueName } from '../support/names.js';
import { waitFor } from '../support/wait.js';

test('kafka mock: topics from the command line, produce with keys/headers, consume in a group, commit', async () => {
  const topic = uniqueName('smoke');
  const mock = await startKafkaMock({ brokers: 3, topics: [{ name: topic, partitions: 3 }] });
  after(() => mock.close());
  assert.equal(mock.brokers.length, 3);
  for (const b of mock.brokers) assert.match(b, /^127\.0\.0\.1:\d+$/);

  const kafka = testKafka(mock.brokers);
  const admin = kafka.admin();
  await admin.connect();
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(meta.topics[0]?.partitions.length, 3);

  const n = 300;
  await produce(
    mock.brokers,
    topic,
    Array.from({ length: n }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}`, headers: { h: `x${i}` } })),
  );

  const groupId = uniqueName('g');
  const consumer = kafka.consumer({ groupId, ...mockConsumerSettings });
  const seen = new Map<number, string[]>();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const list = seen.get(batch.partition) ?? [];
      for (const m of batch.messages) list.push(m.value?.toString() ?? '');
      seen.set(batch.partition, list);
      if (batch.messages.length > 0) {
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) }]);
      }
    },
  });
  await waitFor(() => [...seen.values()].reduce((s, l) => s + l.length, 0) >= n, { timeoutMs: 20_000 });
  await consumer.disconnect();

  const all = [...seen.values()].flat();
  assert.equal(all.length, n);
  assert.equal(new Set(all).size, n);
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const total = committed[0]!.partitions.reduce((s, p) => s + Number(p.offset), 0);
  assert.equal(total, n);
  await admin.disconnect();
});

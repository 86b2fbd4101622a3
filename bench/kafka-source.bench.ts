/**
 * Kafka source throughput on librdkafka's mock cluster: a pre-filled 3-partition topic read by the
 * sluice source into a sink that checkpoints (commits) every push at once, versus a plain kafkajs
 * eachBatch consumer that does nothing (auto-commit on). Both use the same fetch settings; the
 * time runs from the first record to the last (group join excluded). One JSON line.
 */
import { startKafkaMock, produce, testKafka, mockConsumerSettings } from '../test/support/kafka.js';
import { uniqueName } from '../test/support/names.js';
import { createKafkaSource } from '../src/sources/kafka/kafka-source.js';
import { kafkaContext, kafkaMapping, MOCK_OPTS } from '../test/sources/kafka/helpers.js';

const N = Number(process.env.KAFKA_BENCH_MESSAGES ?? 60_000);
const VALUE = 'v'.repeat(100);

async function until(cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const topic = uniqueName('bench');
const mock = await startKafkaMock({ brokers: 3, topics: [{ name: topic, partitions: 3 }] });
try {
  await produce(
    mock.brokers,
    topic,
    Array.from({ length: N }, (_, i) => ({ partition: i % 3, key: `k${i}`, value: VALUE })),
    3000,
  );

  const runSluice = async (): Promise<number> => {
    const mapping = kafkaMapping(mock.brokers, topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: uniqueName('g') } });
    const ctx = kafkaContext(mapping, 'checkpoint');
    let first = 0;
    let last = 0;
    const source = createKafkaSource(mapping, MOCK_OPTS);
    const origPush = ctx.openShard.bind(ctx);
    ctx.openShard = (id, committer, envelope) => {
      const sink = origPush(id, committer, envelope);
      const push = sink.push.bind(sink);
      return Object.assign(sink, {
        push: async (records: Parameters<typeof push>[0], signal?: AbortSignal) => {
          if (first === 0) first = performance.now();
          await push(records, signal);
          last = performance.now();
        },
      });
    };
    await source.start(ctx);
    await until(() => ctx.all.length >= N);
    await source.stop({ deadlineMs: 1000 });
    return N / ((last - first) / 1000);
  };

  const runPlain = async (): Promise<number> => {
    const consumer = testKafka(mock.brokers).consumer({ groupId: uniqueName('g'), ...mockConsumerSettings });
    let n = 0;
    let first = 0;
    let last = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        n += batch.messages.length;
        last = performance.now();
      },
    });
    await until(() => n >= N);
    await consumer.disconnect();
    return N / ((last - first) / 1000);
  };

  // Alternate three rounds each (the machine is shared; one read takes well under a second) and
  // report the medians.
  const plainRuns: number[] = [];
  const sluiceRuns: number[] = [];
  for (let round = 0; round < 3; round++) {
    plainRuns.push(await runPlain());
    sluiceRuns.push(await runSluice());
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sluice = median(sluiceRuns);
  const plain = median(plainRuns);
  process.stdout.write(
    JSON.stringify({
      bench: 'kafka-source',
      messages: N,
      partitions: 3,
      sluiceRecordsPerSec: Math.round(sluice),
      kafkajsEachBatchRecordsPerSec: Math.round(plain),
      ratio: Number((sluice / plain).toFixed(3)),
      sluiceRuns: sluiceRuns.map(Math.round),
      kafkajsRuns: plainRuns.map(Math.round),
    }) + '\n',
  );
} finally {
  await mock.close();
}

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDestination } from '../../src/destinations/create.js';
import { DestinationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { AwsSettings } from '../../src/sources/source.js';
import { mockConsumerSettings, startKafkaMock, testKafka, type KafkaMock } from '../support/kafka.js';
import { uniqueName } from '../support/names.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { sampleDelivery } from './fixtures.js';

const aws: AwsSettings = { region: 'us-east-1', accountId: '123456789012', endpoints: {} };
const topic = uniqueName('onfail');

describe('kafka:// destination (librdkafka mock cluster)', () => {
  let mock: KafkaMock;
  before(async () => {
    mock = await startKafkaMock({ brokers: 1, topics: [{ name: topic, partitions: 1 }] });
  });
  after(async () => {
    await mock?.close();
  });
  test('produces the record with its payload, keyed by shard', async () => {
    const dest = createDestination(`kafka://${topic}`, { aws, kafkaBrokers: mock.brokers, logger: silentLogger });
    const d = sampleDelivery(9);
    try {
      await dest.deliver(d, AbortSignal.timeout(20_000));
    } finally {
      await dest.close();
      await dest.close();
    }
    const consumer = testKafka(mock.brokers).consumer({ groupId: uniqueName('verify'), ...mockConsumerSettings });
    const got: { key: string; value: string }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        },
      });
      await waitFor(() => got.length >= 1, { timeoutMs: 20_000 });
    } finally {
      await consumer.disconnect();
    }
    assert.equal(got.length, 1);
    assert.equal(got[0]?.key, d.shardId);
    assert.deepEqual(JSON.parse(got[0]?.value ?? ''), { ...JSON.parse(JSON.stringify(d.record)), payload: JSON.stringify(d.payload) });
  });
  test('brokers that are down: retriable DestinationError', async () => {
    const port = await freePort();
    const dest = createDestination(`kafka://${topic}`, { aws, kafkaBrokers: [`127.0.0.1:${port}`], logger: silentLogger });
    try {
      await assert.rejects(dest.deliver(sampleDelivery(), AbortSignal.timeout(20_000)), (e: unknown) => e instanceof DestinationError && e.retriable);
    } finally {
      await dest.close();
    }
  });
});

/** Shared setup for the Kafka source tests: mappings and contexts against the mock cluster. */
import { testMapping } from '../../support/mapping.js';
import { createFakeSourceContext, type FakeContext, type SettlePolicy } from '../../support/fake-source-context.js';
import { mockConsumerSettings, testKafka } from '../../support/kafka.js';
import type { MappingSpec } from '../../../src/core/mapping.js';
import type { KafkaSourceOptions } from '../../../src/sources/kafka/kafka-source.js';

export const AWS = { region: 'us-east-1', accountId: '000000000000', endpoints: {} } as const;

/** Source options for the mock cluster (fast fetches, short sessions, the delayed assigner). */
export const MOCK_OPTS: KafkaSourceOptions = {
  consumer: mockConsumerSettings,
  revokeDeadlineMs: 2000,
  rebuildBackoffMs: { min: 200, max: 2000 },
};

export function kafkaMapping(brokers: string[], topic: string, over: Partial<MappingSpec> = {}): MappingSpec {
  return testMapping('kafka', {
    Topics: [topic],
    SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: brokers } },
    ...over,
  });
}

export function kafkaContext(mapping: MappingSpec, policy: SettlePolicy, aws: object = AWS): FakeContext {
  return createFakeSourceContext({ mapping, aws: aws as FakeContext['aws'], policy });
}

/**
 * Reads a consumer group's committed offsets by partition ('-1' = none) through an admin client
 * that `after` disconnects (pass the test's `t.after`).
 */
export async function committedOffsets(
  brokers: string[],
  groupId: string,
  topic: string,
  after: (fn: () => Promise<void>) => void,
): Promise<() => Promise<Map<number, string>>> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  after(() => admin.disconnect());
  return async () => {
    const [offs] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offs?.partitions ?? []).map((q) => [q.partition, q.offset]));
  };
}

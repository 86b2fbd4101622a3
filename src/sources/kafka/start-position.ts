/**
 * StartingPosition for a consumer group without committed offsets. TRIM_HORIZON and LATEST map to
 * kafkajs' `fromBeginning`; AT_TIMESTAMP is applied here: on the first batch of a partition that
 * has no committed offset, the consumer seeks to the first offset at or after
 * StartingPositionTimestamp (ListOffsets by timestamp) and that batch is skipped.
 *
 * Verified only against librdkafka's mock cluster, whose ListOffsets ignores the timestamp and
 * answers with the end offset: there AT_TIMESTAMP behaves like LATEST.
 */
import type { Batch, Consumer, Kafka } from 'kafkajs';
import type { MappingSpec } from '../../core/mapping.js';

export interface StartPositioner {
  /** True when the consumer was moved and this batch must be skipped. */
  seekIfNeeded(consumer: Consumer, batch: Batch): Promise<boolean>;
}

export function createStartPositioner(o: { spec: MappingSpec; kafka: Kafka; groupId: string; topic: string }): StartPositioner {
  const ts = o.spec.StartingPositionTimestamp;
  if (o.spec.StartingPosition !== 'AT_TIMESTAMP' || ts === undefined) return { seekIfNeeded: async () => false };
  /** Per partition: the offset to start from, or null when the group already has a commit. */
  let targets: Promise<Map<number, string | null>> | undefined;
  const done = new Set<number>();
  const load = async (): Promise<Map<number, string | null>> => {
    const admin = o.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] });
      const byTs = await admin.fetchTopicOffsetsByTimestamp(o.topic, ts * 1000);
      const out = new Map<number, string | null>();
      for (const p of byTs) {
        const c = committed?.partitions.find((x) => x.partition === p.partition);
        out.set(p.partition, c && BigInt(c.offset) >= 0n ? null : p.offset);
      }
      return out;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  return {
    async seekIfNeeded(consumer, batch) {
      if (done.has(batch.partition)) return false;
      targets ??= load().catch((e: unknown) => {
        targets = undefined;
        throw e;
      });
      const target = (await targets).get(batch.partition);
      done.add(batch.partition);
      if (target == null || batch.firstOffset() === target) return false;
      consumer.seek({ topic: batch.topic, partition: batch.partition, offset: target });
      return true;
    },
  };
}

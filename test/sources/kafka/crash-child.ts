/**
 * Child process for the SIGKILL test: runs one Kafka source in a consumer group and settles the
 * records it gets slowly, in order, 25 at a time. Every delivery (`D p o`) and every settle
 * (`S p o`, written before the checkpoint that commits it) is appended synchronously to a log
 * file, so the parent still sees it after killing this process with SIGKILL.
 * argv: <brokers comma-separated> <topic> <groupId> <logFile>
 */
import { appendFileSync } from 'node:fs';
import { createKafkaSource } from '../../../src/sources/kafka/kafka-source.js';
import { kafkaContext, kafkaMapping, MOCK_OPTS } from './helpers.js';
import type { PolledRecord } from '../../../src/sources/source.js';

const [brokersArg, topic, groupId, logFile] = process.argv.slice(2);
if (!brokersArg || !topic || !groupId || !logFile) throw new Error('usage: crash-child <brokers> <topic> <groupId> <logFile>');
const mapping = kafkaMapping(brokersArg.split(','), topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });
const ctx = kafkaContext(mapping, 'hold');
const source = createKafkaSource(mapping, MOCK_OPTS);
const settledUpTo = new Map<string, number>();

const line = (kind: 'D' | 'S', r: PolledRecord): string => `${kind} ${(r.event as { partition: number }).partition} ${r.id}\n`;
let delivered = 0;

async function settleLoop(): Promise<void> {
  for (;;) {
    for (const [id, shard] of ctx.shards) {
      if (shard.records.length > delivered) {
        // (delivered counts across shards; recompute per shard below)
      }
      const from = settledUpTo.get(id) ?? 0;
      const chunk = shard.records.slice(from, from + 25);
      if (chunk.length === 0) continue;
      appendFileSync(logFile!, chunk.map((r) => line('S', r)).join(''));
      settledUpTo.set(id, from + chunk.length);
      await shard.committer.checkpoint(chunk[chunk.length - 1]!);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function deliveryLog(): Promise<void> {
  for (;;) {
    if (ctx.all.length > delivered) {
      appendFileSync(logFile!, ctx.all.slice(delivered).map((r) => line('D', r)).join(''));
      delivered = ctx.all.length;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

await source.start(ctx);
appendFileSync(logFile, 'STARTED\n');
void deliveryLog();
void settleLoop();

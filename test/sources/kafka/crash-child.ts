/**
 * Child process for the SIGKILL test: runs one Kafka source in a consumer group and settles what
 * it gets slowly and in order, 25 records at a time with a pause between chunks. Every delivery
 * (`D p o`) and every settle (`S p o`, written before the checkpoint that commits it) is appended
 * synchronously to a log file, so the parent still sees it after killing this process (SIGKILL).
 * argv: <brokers comma-separated> <topic> <groupId> <logFile>
 */
import { appendFileSync } from 'node:fs';
import { createKafkaSource } from '../../../src/sources/kafka/kafka-source.js';
import { kafkaContext, kafkaMapping, MOCK_OPTS } from './helpers.js';
import type { PolledRecord, ShardCommitter, ShardSink, SourceContext } from '../../../src/sources/source.js';

const [brokersArg, topic, groupId, logFile] = process.argv.slice(2);
if (!brokersArg || !topic || !groupId || !logFile) throw new Error('usage: crash-child <brokers> <topic> <groupId> <logFile>');
const mapping = kafkaMapping(brokersArg.split(','), topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });
const ctx = kafkaContext(mapping, 'checkpoint');
const line = (kind: 'D' | 'S', r: PolledRecord): string => `${kind} ${(r.event as { partition: number }).partition} ${r.id}\n`;

// Stand between the fake pipeline and the source: log deliveries, settle slowly in chunks.
const wrapped: SourceContext = {
  ...ctx,
  openShard(id, committer, envelope): ShardSink {
    const pending: PolledRecord[] = [];
    const slow: ShardCommitter = {
      ...committer,
      async checkpoint(last) {
        const todo = pending.splice(0, pending.indexOf(last) + 1);
        for (let i = 0; i < todo.length; i += 25) {
          const chunk = todo.slice(i, i + 25);
          await new Promise((r) => setTimeout(r, 20));
          appendFileSync(logFile, chunk.map((r) => line('S', r)).join(''));
          await committer.checkpoint(chunk[chunk.length - 1]!);
        }
      },
    };
    const sink = ctx.openShard(id, slow, envelope);
    return {
      shardId: sink.shardId,
      get pending() {
        return sink.pending;
      },
      async push(records, signal) {
        appendFileSync(logFile, records.map((r) => line('D', r)).join(''));
        pending.push(...records);
        return sink.push(records, signal);
      },
      setMaxInFlight: (n) => sink.setMaxInFlight(n),
      drained: (signal) => sink.drained(signal),
      close: (how) => sink.close(how),
    };
  },
};

const source = createKafkaSource(mapping, MOCK_OPTS);
await source.start(wrapped);
appendFileSync(logFile, 'STARTED\n');

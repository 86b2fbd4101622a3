// In-process reproduction of the stop() hang (the crash test's survivor as it was before it moved
// to a child process): stop-spin-detector reports a spinning kafkajs fetch loop and kills the
// process instead of letting it hang.
import './stop-spin-detector.js';
import { test } from 'node:test';
import { createKafkaSource } from '../../../src/sources/kafka/kafka-source.js';
import { waitFor } from '../../support/wait.js';
import { assertSurvivor, everyRecordSeen, killMemberMidBatch } from './crash-scenario.js';
import { kafkaContext, kafkaMapping, MOCK_OPTS } from './helpers.js';

test('in process: the survivor of a SIGKILLed member takes over and stop() returns', { timeout: 90_000 }, async (t) => {
  const killed = await killMemberMidBatch(t);

  // The survivor takes every partition over once the dead member's session expires.
  const mapping = kafkaMapping(killed.brokers, killed.topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: killed.groupId } });
  const ctx = kafkaContext(mapping, 'checkpoint');
  const survivor = createKafkaSource(mapping, MOCK_OPTS);
  t.after(() => survivor.stop({ deadlineMs: 100 }));
  await survivor.start(ctx);
  const offsetsOf = (p: number): number[] =>
    ctx.all.filter((r) => (r.event as { partition: number }).partition === p).map((r) => Number(r.id));
  await waitFor(() => everyRecordSeen(killed, offsetsOf), { timeoutMs: 45_000, message: 'every record delivered at least once' });
  assertSurvivor(killed, offsetsOf);
});

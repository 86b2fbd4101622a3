/**
 * End to end, self-managed Kafka: the daemon in-process, librdkafka's mock cluster (3 brokers, a
 * 3-partition topic), the recorder handler in worker threads, an SQS OnFailure destination on
 * local-aws-sqs. The Kafka source gets the mock-cluster consumer settings through an injected
 * source factory (local-backends.md, Kafka quirks 1-3); everything else is the real daemon.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createKafkaSource } from '../../src/sources/kafka/kafka-source.js';
import { mockConsumerSettings, produce, startKafkaMock, type KafkaMock } from '../support/kafka.js';
import { startSqs, type SqsTestServer } from '../support/sqs-server.js';
import { uniqueName } from '../support/names.js';
import { waitFor } from '../support/wait.js';
import { createQueue, daemonYaml, readLines, receiveJsonBodies, recorderFunction, sqsClient, startDaemonFromYaml, tempDir, testSourceFactory } from './support/e2e.js';

interface KafkaLine {
  readonly t: number;
  readonly threw: boolean;
  readonly eventSource: string;
  readonly bootstrapServers: string;
  readonly records: readonly { tp: string; topic: string; partition: number; offset: number; value: string | null }[];
}

const TOPIC = uniqueName('e2e-kafka');
const PARTITIONS = 3;
const PER_PARTITION = 100;
const POISON = { partition: 1, index: 37 };

let kafka: KafkaMock;
let server: SqsTestServer;
let sqs: SQSClient;
before(async () => {
  [kafka, server] = await Promise.all([startKafkaMock({ brokers: 3, topics: [{ name: TOPIC, partitions: PARTITIONS }] }), startSqs()]);
  sqs = sqsClient(server);
});
after(async () => {
  sqs?.destroy();
  await Promise.all([kafka?.close(), server?.close()]);
});

test('Kafka: a poison record is bisected out and described to the OnFailure destination; every other record is processed once, in order per partition', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const out = join(dir, 'out.jsonl');
  const dest = await createQueue(sqs, uniqueName('e2e-kafka-onfailure'));
  const messages = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < PER_PARTITION; i++) {
      const poison = p === POISON.partition && i === POISON.index;
      messages.push({ partition: p, key: `k${p}`, value: poison ? `poison-${p}-${i}` : `v-${p}-${i}` });
    }
  }
  await produce(kafka.brokers, TOPIC, messages);

  const d = await startDaemonFromYaml(
    dir,
    daemonYaml({
      stateDb: join(dir, 'state.db'),
      endpoints: { sqs: server.endpoint },
      functions: recorderFunction('kfn', 'kafka', out, dir),
      mappings: `  - FunctionName: kfn
    SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ${JSON.stringify(kafka.brokers)} } }
    Topics: [${JSON.stringify(TOPIC)}]
    StartingPosition: TRIM_HORIZON
    BatchSize: 20
    BisectBatchOnFunctionError: true
    MaximumRetryAttempts: 1
    DestinationConfig: { OnFailure: { Destination: ${JSON.stringify(dest.arn)} } }`,
    }),
    {
      createSourceFactory: testSourceFactory((base) => (spec) =>
        spec.sourceKind === 'kafka'
          ? createKafkaSource(spec, { consumer: mockConsumerSettings, revokeDeadlineMs: 2000, rebuildBackoffMs: { min: 200, max: 2000 } })
          : base(spec),
      ),
    },
  );
  t.after(() => d.stop());

  const processed = (): KafkaLine['records'][number][] => readLines<KafkaLine>(out).flatMap((l) => (l.threw ? [] : l.records));
  const total = PARTITIONS * PER_PARTITION;
  await waitFor(() => processed().length >= total - 1, { timeoutMs: 40_000, intervalMs: 100, message: `${total - 1} records processed` });
  const failures = await receiveJsonBodies(sqs, dest.url, { timeoutMs: 10_000, intervalMs: 100, message: 'OnFailure record in the destination queue' });

  const lines = readLines<KafkaLine>(out);
  assert.ok(lines.length > 0);
  for (const l of lines) {
    assert.equal(l.eventSource, 'SelfManagedKafka');
    assert.equal(l.bootstrapServers, kafka.brokers.join(','));
  }
  // Every record except the poison one succeeded exactly once, in offset order per partition.
  const rs = processed();
  assert.equal(rs.length, total - 1, 'no record processed twice');
  for (let p = 0; p < PARTITIONS; p++) {
    const offsets = rs.filter((r) => r.partition === p).map((r) => Number(r.offset));
    const expected = Array.from({ length: PER_PARTITION }, (_, i) => i).filter((i) => !(p === POISON.partition && i === POISON.index));
    assert.deepEqual(offsets, expected, `partition ${p}: each offset once, in order`);
    for (const r of rs.filter((x) => x.partition === p)) assert.equal(r.tp, `${TOPIC}-${p}`);
  }
  // Bisect isolated the poison record: its last failing invokes carried it alone.
  const poisonInvokes = lines.filter((l) => l.threw);
  assert.ok(poisonInvokes.length >= 2, 'failed, bisected, retried');
  assert.ok(poisonInvokes.every((l) => l.records.some((r) => r.value?.startsWith('poison'))), 'only batches with the poison record failed');
  const single = poisonInvokes.filter((l) => l.records.length === 1);
  assert.equal(single.length, 2, `the isolated poison record: first attempt + MaximumRetryAttempts 1; failing invokes: ${JSON.stringify(poisonInvokes.map((l) => ({ t: l.t, offsets: l.records.map((r) => `${r.partition}:${r.offset}`) })))}`);

  // The OnFailure record: AWS's invocation record with KafkaBatchInfo.
  assert.equal(failures.length, 1, 'exactly one OnFailure record');
  const rec = failures[0] as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(rec).sort(), ['KafkaBatchInfo', 'requestContext', 'responseContext', 'timestamp', 'version']);
  assert.equal(rec['version'], '1.0');
  assert.ok(!Number.isNaN(Date.parse(String(rec['timestamp']))));
  const rc = rec['requestContext'] ?? {};
  assert.equal(rc['condition'], 'RetryAttemptsExhausted');
  assert.equal(rc['functionArn'], 'arn:aws:lambda:us-east-1:000000000000:function:kfn');
  assert.equal(typeof rc['requestId'], 'string');
  // AWS documents it only as "about how many times the batch was invoked"; sluice counts the
  // invokes that carried the record (bisect steps included): between the two invokes of the
  // isolated record and every failing invoke.
  const count = Number(rc['approximateInvokeCount']);
  assert.ok(count >= 2 && count <= poisonInvokes.length, `approximateInvokeCount ${count} within 2..${poisonInvokes.length}`);
  const resp = rec['responseContext'] ?? {};
  assert.equal(resp['statusCode'], 200);
  assert.equal(resp['executedVersion'], '$LATEST');
  assert.equal(resp['functionError'], 'Unhandled');
  const info = rec['KafkaBatchInfo'] ?? {};
  assert.equal(info['batchSize'], 1);
  assert.equal(info['bootstrapServers'], kafka.brokers.join(','));
  assert.equal(typeof info['payloadSize'], 'number');
  const ri = info['recordsInfo'] as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(ri), [`${TOPIC}-${POISON.partition}`]);
  const r1 = ri[`${TOPIC}-${POISON.partition}`] ?? {};
  assert.equal(r1['firstRecordOffset'], String(POISON.index));
  assert.equal(r1['lastRecordOffset'], String(POISON.index));
  assert.equal(typeof r1['firstRecordTimestamp'], 'string');
  assert.equal(typeof r1['lastRecordTimestamp'], 'string');
});

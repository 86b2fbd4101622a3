/** Kafka event records and their computed sizes (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { kafkaEventRecord, kafkaPolledRecord, kafkaRecordBytes } from '../../../src/sources/kafka/event.js';
import { secretEnvNames, resolveKafkaConnection } from '../../../src/sources/kafka/connection.js';
import { testMapping } from '../../support/mapping.js';
import { SourceError } from '../../../src/core/errors.js';

function msg(over: Partial<KafkaMessage>): KafkaMessage {
  return { offset: '0', timestamp: '1700000000000', key: null, value: null, headers: {}, attributes: 0, size: 0, ...over } as unknown as KafkaMessage;
}

test('computed record size equals the serialized size, for many shapes', () => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const topics = ['t', 'tópico-ü', 'quote"back\\slash', 'emoji-😀', 'ctl\u0001'];
  for (let i = 0; i < 500; i++) {
    const headers: Record<string, Buffer | string | (Buffer | string)[]> = {};
    for (let h = rnd(4); h > 0; h--) headers[`h${rnd(100)}${rnd(2) ? 'é' : ''}`] = rnd(2) ? Buffer.from(Array.from({ length: rnd(20) }, () => rnd(256))) : ['a', 'bc'];
    const m = msg({
      offset: String(rnd(1_000_000_000)),
      timestamp: String(1_600_000_000_000 + rnd(1_000_000_000)),
      key: rnd(3) ? Buffer.from(Array.from({ length: rnd(40) }, () => rnd(256))) : null,
      value: rnd(5) ? Buffer.from(Array.from({ length: rnd(300) }, () => rnd(256))) : null,
      headers,
    });
    const topic = topics[rnd(topics.length)]!;
    const r = kafkaEventRecord(topic, rnd(1000), m, rnd(2) === 1);
    assert.equal(kafkaRecordBytes(r), Buffer.byteLength(JSON.stringify(r)), JSON.stringify(r));
  }
});

test('polled record: id, partition key, arrival, ref', () => {
  const p = kafkaPolledRecord('t-3', 't', 3, msg({ offset: '42', timestamp: '1700000000001', value: Buffer.from('x') }));
  assert.equal(p.id, '42');
  assert.equal(p.partitionKey, 't-3');
  assert.equal(p.arrivalMs, 1700000000001);
  assert.equal(p.ref, 42n);
  assert.equal(p.payloadBytes, Buffer.byteLength(JSON.stringify(p.event)));
});

test('secrets: env names from a Secrets Manager ARN or a plain name', () => {
  assert.deepEqual(secretEnvNames('arn:aws:secretsmanager:us-east-1:123456789012:secret:my-kafka-AbC123'), [
    'SLUICE_SECRET_MY_KAFKA_ABC123',
    'SLUICE_SECRET_MY_KAFKA',
  ]);
  assert.deepEqual(secretEnvNames('local/creds'), ['SLUICE_SECRET_LOCAL_CREDS']);
});

test('connection: SASL/SCRAM from the secret, TLS on; missing secret names the variable; consumer group default', () => {
  const base = testMapping('kafka', { Topics: ['t'], SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['h1:9092', 'h2:9092'] } } });
  const aws = { region: 'us-east-1', accountId: '0', endpoints: {} };
  const plain = resolveKafkaConnection(base, aws, { env: {} });
  assert.equal(plain.groupId, base.UUID);
  assert.equal(plain.ssl, false);
  assert.equal(plain.sasl, undefined);
  assert.deepEqual(plain.source, { eventSource: 'SelfManagedKafka', bootstrapServers: 'h1:9092,h2:9092' });

  const m = testMapping('kafka', {
    ...base,
    SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:1:secret:kc-AbC123' }],
    SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'my-group' },
  });
  const c = resolveKafkaConnection(m, aws, { env: { SLUICE_SECRET_KC: '{"username":"u","password":"p"}' } });
  assert.deepEqual(c.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.equal(c.ssl, true);
  assert.equal(c.groupId, 'my-group');
  assert.equal(resolveKafkaConnection(m, aws, { env: { SLUICE_SECRET_KC: '{"username":"u","password":"p"}' }, tls: false }).ssl, false);
  assert.throws(
    () => resolveKafkaConnection(m, aws, { env: {} }),
    (e: unknown) => e instanceof SourceError && e.code === 'KAFKA_SECRET_MISSING' && /SLUICE_SECRET_KC_ABC123 or SLUICE_SECRET_KC/.test(e.message),
  );
  assert.throws(
    () => resolveKafkaConnection(testMapping('kafka', { ...base, Topics: ['a', 'b'] }), aws, { env: {} }),
    (e: unknown) => e instanceof SourceError && e.code === 'KAFKA_CONFIG',
  );
});

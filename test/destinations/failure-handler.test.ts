import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mappingUuid, recordId, shardId } from '../../src/core/ids.js';
import type { MappingSpec } from '../../src/core/mapping.js';
import { createDestination } from '../../src/destinations/create.js';
import { createFailureHandler, invocationPayload } from '../../src/destinations/failure-handler.js';
import { createDestinationRegistry, kafkaBrokersOf } from '../../src/destinations/registry.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { PolledRecord } from '../../src/sources/source.js';

const base = {
  UUID: mappingUuid('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'),
  FunctionName: 'fn',
  FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
  fifo: false,
  BatchSize: 100,
  batchingWindowMs: 0,
  FunctionResponseTypes: [],
  Enabled: true,
  configManaged: true,
  LastModified: 0,
};
const kinesis = { ...base, sourceKind: 'kinesis', EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s' } as unknown as MappingSpec;
const kafka = { ...base, sourceKind: 'kafka', SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['k1:9092'] } } } as unknown as MappingSpec;

const krec = (seq: string, ms: number): PolledRecord => ({ id: recordId(seq), partitionKey: 'p', arrivalMs: ms, payloadBytes: 20, event: { kinesis: { sequenceNumber: seq } } });
const kafkaRec = (off: number): PolledRecord => ({ id: recordId(String(off)), partitionKey: '0', arrivalMs: off, payloadBytes: 30, event: { topic: 'orders', partition: 0, offset: off, timestamp: 1000 + off } });

describe('createFailureHandler (pipeline FailureInfo → destination)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-fh-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('Kinesis: AWS record plus the Records payload, appended to a file destination', async () => {
    const path = join(dir, 'k.jsonl');
    const dest = createDestination(pathToFileURL(path).href, { aws: { region: 'us-east-1', accountId: '1', endpoints: {} }, logger: silentLogger });
    const handler = createFailureHandler(dest);
    assert.equal(handler.destination, dest.target);
    const records = [krec('100', Date.UTC(2026, 0, 1)), krec('101', Date.UTC(2026, 0, 1, 0, 0, 1))];
    await handler.deliver(
      {
        mapping: kinesis,
        shardId: shardId('shardId-000000000002'),
        records,
        condition: 'RetryAttemptsExhausted',
        attempts: 3,
        lastError: { errorType: 'Error', errorMessage: 'boom', statusCode: 200 },
        requestId: 'req-1',
        payloadBytes: 100,
        timestamp: Date.UTC(2026, 0, 2),
      },
      AbortSignal.timeout(5000),
    );
    await dest.close();
    const line = JSON.parse((await readFile(path, 'utf8')).trim()) as Record<string, unknown>;
    assert.deepEqual(line, {
      requestContext: { requestId: 'req-1', functionArn: kinesis.FunctionArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-02T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000002',
        startSequenceNumber: '100',
        endSequenceNumber: '101',
        approximateArrivalOfFirstRecord: '2026-01-01T00:00:00.000Z',
        approximateArrivalOfLastRecord: '2026-01-01T00:00:01.000Z',
        batchSize: 2,
        streamArn: kinesis.EventSourceArn,
      },
      payload: JSON.stringify({ Records: records.map((r) => r.event) }),
    });
  });

  test('Kafka: MaximumPayloadSizeExceeded, KafkaBatchInfo.payloadSize from the pipeline, SelfManagedKafka payload', async () => {
    const got: unknown[] = [];
    const handler = createFailureHandler({ target: 'test://mem', deliver: async (d) => void got.push(d), close: async () => undefined });
    await handler.deliver(
      { mapping: kafka, shardId: shardId('orders-0'), records: [kafkaRec(7)], condition: 'MaximumPayloadSizeExceeded', attempts: 0, payloadBytes: 7_000_000, timestamp: 0 },
      AbortSignal.timeout(5000),
    );
    const d = got[0] as { record: Record<string, unknown>; payload: unknown };
    assert.equal((d.record.requestContext as { condition: string }).condition, 'MaximumPayloadSizeExceeded');
    assert.equal(d.record.responseContext, undefined);
    assert.deepEqual(d.record.KafkaBatchInfo, {
      batchSize: 1,
      bootstrapServers: 'k1:9092',
      payloadSize: 7_000_000,
      recordsInfo: { 'orders-0': { firstRecordOffset: '7', lastRecordOffset: '7', firstRecordTimestamp: '1970-01-01T00:00:01.007Z', lastRecordTimestamp: '1970-01-01T00:00:01.007Z' } },
    });
    assert.deepEqual(d.payload, { eventSource: 'SelfManagedKafka', bootstrapServers: 'k1:9092', records: { 'orders-0': [kafkaRec(7).event] } });
  });

  test('MSK mappings get an aws:kafka payload', () => {
    const msk = { ...kafka, EventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/x', SelfManagedEventSource: undefined } as unknown as MappingSpec;
    assert.deepEqual(invocationPayload(msk, [kafkaRec(1)], ['b:9092']), {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/x',
      bootstrapServers: 'b:9092',
      records: { 'orders-0': [kafkaRec(1).event] },
    });
  });
});

describe('createDestinationRegistry', () => {
  const aws = { region: 'us-east-1', accountId: '1', endpoints: {}, kafkaClusters: { 'arn:aws:kafka:us-east-1:1:cluster/c/x': ['m1:9092'] } };
  const withTarget = (spec: MappingSpec, t?: string): MappingSpec => ({ ...spec, ...(t ? { DestinationConfig: { OnFailure: { Destination: t } } } : {}) }) as MappingSpec;
  test('one handler per mapping and target; none without a destination; closed on change and close()', async () => {
    const reg = createDestinationRegistry({ aws, logger: silentLogger });
    assert.equal(reg.forMapping(kinesis), undefined);
    const a = reg.forMapping(withTarget(kinesis, 'https://example.invalid/a'));
    assert.equal(a?.destination, 'https://example.invalid/a');
    assert.equal(reg.forMapping(withTarget(kinesis, 'https://example.invalid/a')), a);
    const b = reg.forMapping(withTarget(kinesis, 'https://example.invalid/b'));
    assert.notEqual(b, a);
    assert.equal(b?.destination, 'https://example.invalid/b');
    await reg.close();
    assert.equal(reg.close(), reg.close());
    assert.equal(reg.forMapping(withTarget(kinesis, 'https://example.invalid/a')), undefined);
  });
  test('kafka brokers: self-managed endpoints, or the MSK cluster from the aws settings', () => {
    assert.deepEqual(kafkaBrokersOf(kafka, aws), ['k1:9092']);
    const msk = { ...kafka, EventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/x', SelfManagedEventSource: undefined } as unknown as MappingSpec;
    assert.deepEqual(kafkaBrokersOf(msk, aws), ['m1:9092']);
    assert.equal(kafkaBrokersOf(kinesis, aws), undefined);
  });
  test('an invalid target throws DESTINATION_INVALID', async () => {
    const reg = createDestinationRegistry({ aws, logger: silentLogger });
    assert.throws(() => reg.forMapping(withTarget(kinesis, 'ftp://nope')), /unsupported OnFailure destination/);
    await reg.close();
  });
});

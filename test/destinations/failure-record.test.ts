import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOnFailureRecord, type OnFailureInput } from '../../src/destinations/failure-record.js';
import { s3ObjectKey } from '../../src/destinations/aws-destinations.js';
import { withPayload } from '../../src/destinations/destination.js';
import { mappingUuid, recordId, shardId } from '../../src/core/ids.js';
import type { PolledRecord } from '../../src/sources/source.js';

const rec = (id: string, arrivalMs: number, event: unknown = {}, payloadBytes = 100): PolledRecord => ({
  id: recordId(id),
  partitionKey: 'pk',
  arrivalMs,
  payloadBytes,
  event,
});
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:fn';
const STREAM = 'arn:aws:kinesis:us-east-1:123456789012:stream/s1';
const NOW = Date.UTC(2026, 10, 21, 19, 30, 1, 234);

/** What every case shares unless it is about it. */
const COMMON = { requestId: 'r', functionArn: FN, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1, nowMs: NOW } as const;

/** A one-record Kinesis failure after one invoke; each test overrides what it is about. */
const input = (o: Partial<OnFailureInput> = {}): OnFailureInput => ({
  ...COMMON,
  kind: 'kinesis',
  shardId: shardId('s'),
  streamArn: STREAM,
  records: [rec('1', NOW)],
  ...o,
});

describe('on-failure records (AWS shape)', () => {
  test('Kinesis, RetryAttemptsExhausted after a function error', () => {
    const r = buildOnFailureRecord(
      input({
        requestId: 'req-1',
        approximateInvokeCount: 3,
        lastError: { errorType: 'Error', errorMessage: 'boom', statusCode: 200 },
        shardId: shardId('shardId-000000000001'),
        records: [rec('4960001', Date.UTC(2026, 10, 21, 19, 0, 0, 5)), rec('4960002', 0), rec('4960003', Date.UTC(2026, 10, 21, 19, 0, 1, 500))],
      }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(r)), {
      requestContext: { requestId: 'req-1', functionArn: FN, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-11-21T19:30:01.234Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000001',
        startSequenceNumber: '4960001',
        endSequenceNumber: '4960003',
        approximateArrivalOfFirstRecord: '2026-11-21T19:00:00.005Z',
        approximateArrivalOfLastRecord: '2026-11-21T19:00:01.500Z',
        batchSize: 3,
        streamArn: STREAM,
      },
    });
    assert.deepEqual(Object.keys(r), ['requestContext', 'responseContext', 'version', 'timestamp', 'KinesisBatchInfo']);
  });
  const responseContextCases: readonly { name: string; over: Partial<OnFailureInput>; expected: unknown }[] = [
    {
      name: 'RecordAgeExceeded has no responseContext even after invokes',
      over: { requestId: 'req-2', condition: 'RecordAgeExceeded', approximateInvokeCount: 2, lastError: { errorType: 'Error', errorMessage: 'boom', statusCode: 200 } },
      expected: undefined,
    },
    {
      name: 'a partial-batch / invalid-response failure has a responseContext without functionError',
      over: { lastError: { errorType: '', errorMessage: 'partial', statusCode: 200 }, executedVersion: '7' },
      expected: { statusCode: 200, executedVersion: '7' },
    },
    {
      name: 'throttled last error: statusCode 429, no functionError',
      over: { lastError: { errorType: 'TooManyRequestsException', errorMessage: 'Rate exceeded', statusCode: 429 } },
      expected: { statusCode: 429, executedVersion: '$LATEST' },
    },
  ];
  for (const c of responseContextCases) {
    test(c.name, () => {
      const r = buildOnFailureRecord(input(c.over));
      assert.equal('responseContext' in r, c.expected !== undefined);
      assert.deepEqual(r.responseContext, c.expected);
      assert.equal(r.requestContext.condition, c.over.condition ?? 'RetryAttemptsExhausted');
    });
  }
  test('DynamoDB uses DDBStreamBatchInfo with second-precision arrival times', () => {
    const r = buildOnFailureRecord({
      ...COMMON,
      kind: 'dynamodb',
      lastError: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out', statusCode: 200 },
      shardId: shardId('shardId-00000001573689847184-864758bb'),
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-11-21T00:00:00.000',
      records: [rec('800000000003126276362', Date.UTC(2019, 10, 14, 0, 13, 19, 700))],
    });
    assert.equal(r.KinesisBatchInfo, undefined);
    assert.deepEqual(r.DDBStreamBatchInfo, {
      shardId: 'shardId-00000001573689847184-864758bb',
      startSequenceNumber: '800000000003126276362',
      endSequenceNumber: '800000000003126276362',
      approximateArrivalOfFirstRecord: '2019-11-14T00:13:19Z',
      approximateArrivalOfLastRecord: '2019-11-14T00:13:19Z',
      batchSize: 1,
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-11-21T00:00:00.000',
    });
  });
  test('Kafka: KafkaBatchInfo with recordsInfo per topic-partition', () => {
    const k = (off: number, partition: number, ts: number): PolledRecord =>
      rec(String(off), ts, { topic: 'orders', partition, offset: off, timestamp: ts }, 50);
    const r = buildOnFailureRecord({
      ...COMMON,
      kind: 'kafka',
      approximateInvokeCount: 4,
      lastError: { errorType: 'Error', errorMessage: 'x', statusCode: 200 },
      shardId: shardId('orders-0'),
      bootstrapServers: ['b1:9092', 'b2:9092'],
      records: [k(10, 0, 1000), k(11, 0, 2000), k(12, 0, 3000)],
    });
    assert.deepEqual(r.KafkaBatchInfo, {
      batchSize: 3,
      bootstrapServers: 'b1:9092,b2:9092',
      payloadSize: 150,
      recordsInfo: {
        'orders-0': {
          firstRecordOffset: '10',
          lastRecordOffset: '12',
          firstRecordTimestamp: '1970-01-01T00:00:01.000Z',
          lastRecordTimestamp: '1970-01-01T00:00:03.000Z',
        },
      },
    });
  });
  test('an empty record list is refused', () => {
    assert.throws(() =>
      buildOnFailureRecord(input({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0, records: [] })),
    );
  });
  test('S3 key and payload', () => {
    const record = buildOnFailureRecord(input({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0, shardId: shardId('shardId-000000000003') }));
    const d = { record, mappingUuid: mappingUuid('6d5b1c8e-0000-4000-8000-000000000001'), shardId: shardId('shardId-000000000003'), payload: { Records: [{ a: 1 }] } };
    assert.equal(
      s3ObjectKey(d, 'u-1'),
      'aws/lambda/6d5b1c8e-0000-4000-8000-000000000001/shardId-000000000003/2026/11/21/2026-11-21T19:30:01.234Z-u-1',
    );
    const body = withPayload(d);
    assert.equal(body.payload, '{"Records":[{"a":1}]}');
    assert.equal(body.version, '1.0');
  });
});

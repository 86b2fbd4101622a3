/** Shared test data for destination tests. */
import { buildOnFailureRecord } from '../../src/destinations/failure-record.js';
import type { FailureDelivery } from '../../src/destinations/destination.js';
import { mappingUuid, recordId, shardId } from '../../src/core/ids.js';
import { randomUUID } from 'node:crypto';

export function sampleDelivery(n = 1): FailureDelivery {
  const sid = shardId('shardId-000000000007');
  const record = buildOnFailureRecord({
    kind: 'kinesis',
    requestId: randomUUID(),
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: n,
    lastError: { errorType: 'Error', errorMessage: 'boom', statusCode: 200 },
    nowMs: Date.UTC(2026, 10, 21, 19, 30, 0, 0) + n,
    shardId: sid,
    streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
    records: [{ id: recordId(`seq-${n}`), partitionKey: 'pk', arrivalMs: Date.UTC(2026, 10, 21, 19, 0, 0), payloadBytes: 10, event: {} }],
  });
  return { record, mappingUuid: mappingUuid('11111111-2222-4333-8444-555555555555'), shardId: sid, payload: { Records: [{ kinesis: { data: 'eA==' } }] } };
}

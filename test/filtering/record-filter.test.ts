import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordFilter } from '../../src/filtering/record-filter.js';
import { recordId } from '../../src/core/ids.js';
import type { PolledRecord } from '../../src/sources/source.js';

const polled = (event: unknown): PolledRecord => ({ id: recordId('1'), partitionKey: 'p', arrivalMs: 0, payloadBytes: 1, event });

describe('createRecordFilter', () => {
  test('no FilterCriteria: no filter', () => {
    assert.equal(createRecordFilter({ sourceKind: 'sqs' }), undefined);
  });
  test('SQS body filter on polled records', () => {
    const f = createRecordFilter({ sourceKind: 'sqs', FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["keep"]}}' }] } });
    assert.ok(f);
    assert.equal(f(polled({ messageId: 'a', body: '{"kind":"keep"}' })), true);
    assert.equal(f(polled({ messageId: 'b', body: '{"kind":"drop"}' })), false);
    assert.equal(f(polled({ messageId: 'c', body: 'keep' })), false);
  });
  test('Kinesis data filter on polled records', () => {
    const f = createRecordFilter({ sourceKind: 'kinesis', FilterCriteria: { Filters: [{ Pattern: '{"data":{"n":[{"numeric":[">=",10]}]}}' }] } });
    assert.ok(f);
    const ev = (n: number): unknown => ({ kinesis: { data: Buffer.from(JSON.stringify({ n })).toString('base64') } });
    assert.equal(f(polled(ev(10))), true);
    assert.equal(f(polled(ev(9))), false);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBatchItemFailures } from '../../src/failure/partial-failures.js';
import { recordId, type RecordId } from '../../src/core/ids.js';

const ids: RecordId[] = ['s1', 's2', 's3', 's4'].map(recordId);

const cases: { name: string; payload: unknown; want: 'success' | 'failure' | number[] }[] = [
  { name: 'undefined response', payload: undefined, want: 'success' },
  { name: 'null response', payload: null, want: 'success' },
  { name: 'empty object', payload: {}, want: 'success' },
  { name: 'object without batchItemFailures', payload: { other: 1 }, want: 'success' },
  { name: 'batchItemFailures null', payload: { batchItemFailures: null }, want: 'success' },
  { name: 'empty batchItemFailures', payload: { batchItemFailures: [] }, want: 'success' },
  { name: 'JSON string of empty object', payload: '{}', want: 'success' },
  { name: 'JSON string null', payload: 'null', want: 'success' },
  { name: 'empty string', payload: '', want: 'success' },
  { name: 'JSON string with failures', payload: '{"batchItemFailures":[{"itemIdentifier":"s3"}]}', want: [2] },
  { name: 'one failure', payload: { batchItemFailures: [{ itemIdentifier: 's2' }] }, want: [1] },
  { name: 'first record', payload: { batchItemFailures: [{ itemIdentifier: 's1' }] }, want: [0] },
  { name: 'unordered failures', payload: { batchItemFailures: [{ itemIdentifier: 's4' }, { itemIdentifier: 's2' }] }, want: [1, 3] },
  { name: 'duplicate failures', payload: { batchItemFailures: [{ itemIdentifier: 's3' }, { itemIdentifier: 's3' }] }, want: [2] },
  { name: 'all records', payload: { batchItemFailures: ids.map((i) => ({ itemIdentifier: i })) }, want: [0, 1, 2, 3] },
  { name: 'extra fields ignored', payload: { batchItemFailures: [{ itemIdentifier: 's2', why: 'x' }], state: {} }, want: [1] },
  { name: 'empty identifier', payload: { batchItemFailures: [{ itemIdentifier: '' }] }, want: 'failure' },
  { name: 'null identifier', payload: { batchItemFailures: [{ itemIdentifier: null }] }, want: 'failure' },
  { name: 'missing identifier', payload: { batchItemFailures: [{}] }, want: 'failure' },
  { name: 'misspelt key', payload: { batchItemFailures: [{ itemIdentifer: 's1' }] }, want: 'failure' },
  { name: 'numeric identifier', payload: { batchItemFailures: [{ itemIdentifier: 1 }] }, want: 'failure' },
  { name: 'identifier not in batch', payload: { batchItemFailures: [{ itemIdentifier: 's9' }] }, want: 'failure' },
  { name: 'one good one unknown', payload: { batchItemFailures: [{ itemIdentifier: 's1' }, { itemIdentifier: 'nope' }] }, want: 'failure' },
  { name: 'one good one empty', payload: { batchItemFailures: [{ itemIdentifier: 's2' }, { itemIdentifier: '' }] }, want: 'failure' },
  { name: 'batchItemFailures is an object', payload: { batchItemFailures: { itemIdentifier: 's1' } }, want: 'failure' },
  { name: 'batchItemFailures is a string', payload: { batchItemFailures: 's1' }, want: 'failure' },
  { name: 'item is a string', payload: { batchItemFailures: ['s1'] }, want: 'failure' },
  { name: 'item is null', payload: { batchItemFailures: [null] }, want: 'failure' },
  { name: 'item is an array', payload: { batchItemFailures: [['s1']] }, want: 'failure' },
  { name: 'string that is not JSON', payload: 'OK', want: 'failure' },
  { name: 'number response', payload: 42, want: 'failure' },
  { name: 'boolean response', payload: true, want: 'failure' },
  { name: 'array response', payload: [{ itemIdentifier: 's1' }], want: 'failure' },
  { name: 'JSON string of an array', payload: '[]', want: 'failure' },
];

describe('parseBatchItemFailures (AWS success / partial / failure rules)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const r = parseBatchItemFailures(c.payload, ids);
      if (c.want === 'success') assert.deepEqual(r, { kind: 'success' });
      else if (c.want === 'failure') {
        assert.equal(r.kind, 'failure');
        assert.ok(r.kind === 'failure' && r.reason.length > 0);
      } else assert.deepEqual(r, { kind: 'partial', failedIndexes: c.want, lowestIndex: c.want[0] });
    });
  }
  test('identifiers are matched exactly (case and whitespace)', () => {
    assert.equal(parseBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'S1' }] }, ids).kind, 'failure');
    assert.equal(parseBatchItemFailures({ batchItemFailures: [{ itemIdentifier: ' s1' }] }, ids).kind, 'failure');
  });
  test('empty batch: any listed identifier is a failure', () => {
    assert.equal(parseBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 's1' }] }, []).kind, 'failure');
    assert.equal(parseBatchItemFailures({ batchItemFailures: [] }, []).kind, 'success');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordId } from '../../src/core/ids.js';
import { settleQueueBatch } from '../../src/failure/queue-settle.js';
import type { PlanOutcome } from '../../src/failure/batch-plan.js';

const msgs = [
  ['m0', 'g1'],
  ['m1', 'g2'],
  ['m2', 'g1'],
  ['m3', 'g1'],
  ['m4', 'g2'],
  ['m5', 'g3'],
].map(([id, g]) => ({ id: recordId(id as string), partitionKey: g as string }));
const fail = (...ids: string[]): PlanOutcome => ({ kind: 'success', payload: { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) } });
const all = [0, 1, 2, 3, 4, 5];

const cases: { name: string; outcome: PlanOutcome; rbif: boolean; fifo: boolean; complete: number[] }[] = [
  { name: 'success deletes all', outcome: { kind: 'success', payload: null }, rbif: false, fifo: false, complete: all },
  { name: 'success with RBIF and empty list deletes all', outcome: fail(), rbif: true, fifo: false, complete: all },
  { name: 'function error deletes nothing', outcome: { kind: 'error', errorType: 'Error', errorMessage: 'x', statusCode: 200, throttled: false }, rbif: true, fifo: false, complete: [] },
  { name: 'throttle deletes nothing', outcome: { kind: 'error', errorType: 'TooManyRequestsException', errorMessage: 'x', statusCode: 429, throttled: true }, rbif: false, fifo: true, complete: [] },
  { name: 'batchItemFailures ignored without RBIF', outcome: fail('m1'), rbif: false, fifo: false, complete: all },
  { name: 'partial: all but listed are deleted', outcome: fail('m1', 'm3'), rbif: true, fifo: false, complete: [0, 2, 4, 5] },
  { name: 'partial FIFO: later messages of the failed group are released', outcome: fail('m0'), rbif: true, fifo: true, complete: [1, 4, 5] },
  { name: 'partial FIFO: earlier messages of the group are deleted', outcome: fail('m2'), rbif: true, fifo: true, complete: [0, 1, 4, 5] },
  { name: 'partial FIFO: two groups blocked', outcome: fail('m3', 'm1'), rbif: true, fifo: true, complete: [0, 2, 5] },
  { name: 'partial FIFO: last message of its group', outcome: fail('m5'), rbif: true, fifo: true, complete: [0, 1, 2, 3, 4] },
  { name: 'standard queue: no group blocking', outcome: fail('m0'), rbif: true, fifo: false, complete: [1, 2, 3, 4, 5] },
  { name: 'full-failure response (unknown id) releases all', outcome: fail('nope'), rbif: true, fifo: false, complete: [] },
  { name: 'full-failure response (empty id) releases all', outcome: fail(''), rbif: true, fifo: true, complete: [] },
  { name: 'malformed response releases all', outcome: { kind: 'success', payload: 'not json' }, rbif: true, fifo: false, complete: [] },
];

describe('settleQueueBatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const r = settleQueueBatch(msgs, c.outcome, { reportBatchItemFailures: c.rbif, fifo: c.fifo });
      assert.deepEqual(r.complete, c.complete);
      assert.deepEqual(r.release, all.filter((i) => !c.complete.includes(i)));
    });
  }
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/core/clock.js';
import type { MappingSpec } from '../../src/core/mapping.js';
import type { PlanOutcome } from '../../src/failure/batch-plan.js';
import type { Batch } from '../../src/batching/batcher.js';
import { batchPayloadBytes } from '../../src/batching/payload-size.js';
import { planFromMapping, runOrderedBatch, type PlanFactory } from '../../src/pipeline/ordered-batch.js';
import { rec, recordsEnvelope } from '../batching/records.js';
import { testMapping } from '../support/mapping.js';

/**
 * The fast path of runOrderedBatch (invoke first, build the failure plan only if needed) must take
 * exactly the steps the plan takes: every scenario is run with the fast-path plan factory and with
 * the same plan without the fast-path mark, and the traces must be equal.
 */

type Script = (n: readonly number[], call: number) => PlanOutcome;

const ok = (payload: unknown = null): PlanOutcome => ({ kind: 'success', payload });
const err = (throttled = false): PlanOutcome => ({ kind: 'error', errorType: 'Boom', errorMessage: 'boom', statusCode: 200, throttled });
/** Real time; backoff timers fire on the next turn (the plan's backoff is 0 here) and keep node alive. */
const clock: Clock = {
  now: () => Date.now(),
  setTimer(fn) {
    const t = setImmediate(fn);
    return () => clearImmediate(t);
  },
};
const num = (r: { event: unknown }): number => (r.event as { n: number }).n;

function makeBatch(count: number): Batch {
  const records = Array.from({ length: count }, (_, i) => rec(i));
  const seqs = records.map((_, seq) => seq);
  return { id: 1, seqs, records, bytes: batchPayloadBytes(recordsEnvelope, records), oversized: false, keys: new Set(['k']) };
}

async function trace(mapping: MappingSpec, count: number, script: Script, fast: boolean): Promise<{ trace: string[]; fastMarked: boolean }> {
  const base = planFromMapping(mapping, () => 0);
  const plan: PlanFactory = fast ? base : (records, clock) => base(records, clock);
  const out: string[] = [];
  let calls = 0;
  const stop = new AbortController();
  await runOrderedBatch(makeBatch(count), {
    plan,
    clock,
    invoke: async (records, _signal, bytes) => {
      const ns = records.map(num);
      out.push(`invoke ${ns.join(',')} bytes=${bytes ?? batchPayloadBytes(recordsEnvelope, records)}`);
      const outcome = script(ns, calls++);
      return { outcome, requestId: `req-${calls}` };
    },
    finish: (seqs) => out.push(`finish ${seqs.join(',')}`),
    fail: async (info) => {
      out.push(`fail ${info.records.map(num).join(',')} ${info.condition} attempts=${info.attempts} req=${info.requestId ?? '-'}`);
    },
    envelopeOverhead: recordsEnvelope.overheadBytes,
    stop: stop.signal,
    invokeSignal: new AbortController().signal,
  });
  return { trace: out, fastMarked: base.firstInvokeWhole !== undefined };
}

async function same(over: Partial<MappingSpec>, count: number, script: Script): Promise<string[]> {
  const mapping = testMapping('kinesis', over);
  const fast = await trace(mapping, count, script, true);
  const slow = await trace(mapping, count, script, false);
  assert.equal(fast.fastMarked, true, 'the default plan of this mapping takes the fast path');
  assert.deepEqual(fast.trace, slow.trace);
  return fast.trace;
}

describe('ordered batch fast path: same steps as the failure plan', () => {
  test('success on the first invoke finishes the whole batch with one invoke', async () => {
    const t = await same({ MaximumRetryAttempts: 2 }, 4, () => ok());
    assert.equal(t.length, 2);
    assert.match(t[0]!, /^invoke 0,1,2,3 /);
    assert.equal(t[1], 'finish 0,1,2,3');
  });

  test('function error, then retries until exhausted, then OnFailure', async () => {
    const t = await same({ MaximumRetryAttempts: 2 }, 3, () => err());
    assert.equal(t.filter((s) => s.startsWith('invoke')).length, 3);
    assert.equal(t.at(-2), 'fail 0,1,2 RetryAttemptsExhausted attempts=3 req=req-3');
    assert.equal(t.at(-1), 'finish 0,1,2');
  });

  test('a throttle then a success', async () => {
    const t = await same({ MaximumRetryAttempts: 0 }, 2, (_ns, call) => (call === 0 ? err(true) : ok()));
    assert.equal(t.filter((s) => s.startsWith('invoke')).length, 2);
    assert.equal(t.at(-1), 'finish 0,1');
  });

  test('bisect isolates a poison record', async () => {
    const t = await same({ MaximumRetryAttempts: 0, BisectBatchOnFunctionError: true }, 8, (ns) => (ns.includes(5) ? err() : ok()));
    assert.deepEqual(t.filter((s) => s.startsWith('fail')).map((s) => s.split(' ').slice(0, 3).join(' ')), ['fail 5 RetryAttemptsExhausted']);
    assert.ok(t.includes('finish 0,1,2,3'));
  });

  test('ReportBatchItemFailures: a partial failure on the first invoke retries from the reported record', async () => {
    const t = await same(
      { MaximumRetryAttempts: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] },
      5,
      (ns, call) => (call === 0 ? ok({ batchItemFailures: [{ itemIdentifier: String(ns[2]).padStart(8, '0') }] }) : ok()),
    );
    assert.equal(t[1], 'finish 0,1');
    assert.match(t[2]!, /^invoke 2,3,4 /);
    assert.equal(t.at(-1), 'finish 2,3,4');
  });

  test('ReportBatchItemFailures: an empty list is a success', async () => {
    const t = await same({ FunctionResponseTypes: ['ReportBatchItemFailures'] }, 3, () => ok({ batchItemFailures: [] }));
    assert.deepEqual(t.slice(1), ['finish 0,1,2']);
  });

  test('ReportBatchItemFailures: an invalid response is a function error', async () => {
    const t = await same({ MaximumRetryAttempts: 0, FunctionResponseTypes: ['ReportBatchItemFailures'] }, 2, () => ok('not json'));
    assert.equal(t.at(-2), 'fail 0,1 RetryAttemptsExhausted attempts=1 req=req-1');
  });

  test('a record age limit turns the fast path off (age is checked before the first invoke)', async () => {
    const mapping = testMapping('kinesis', { MaximumRecordAgeInSeconds: 60 });
    assert.equal(planFromMapping(mapping, () => 0).firstInvokeWhole, undefined);
    const t = await trace(mapping, 2, () => ok(), true);
    // Records arrived in 2023: too old; given up without an invoke.
    assert.deepEqual(t.trace, ['fail 0,1 RecordAgeExceeded attempts=0 req=-', 'finish 0,1']);
  });
});

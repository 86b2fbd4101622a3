import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { recordId } from '../../src/core/ids.js';
import { createBatchPlan, type PlanConfig, type PlanOutcome } from '../../src/failure/batch-plan.js';
import { coverageProblem, drive, ERROR, OK, THROTTLED } from './plan-driver.js';

const T0 = 1_700_000_000_000;
function batch(n: number, arrivalMs = T0): { id: ReturnType<typeof recordId>; arrivalMs: number }[] {
  return Array.from({ length: n }, (_, i) => ({ id: recordId(`seq-${i}`), arrivalMs }));
}
const base: PlanConfig = {
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
  reportBatchItemFailures: false,
};

describe('batch plan: basics', () => {
  test('empty batch is done at once', () => {
    const plan = createBatchPlan([], base, new ManualClock(T0));
    assert.deepEqual(plan.next(), { kind: 'done' });
    assert.deepEqual(plan.next(), { kind: 'done' });
  });
  test('success finishes the whole batch in one invoke', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(5), base, clock), () => OK, clock);
    assert.deepEqual(r.steps, [
      { kind: 'invoke', start: 0, end: 5, attempt: 1 },
      { kind: 'finished', start: 0, end: 5 },
      { kind: 'done' },
    ]);
  });
  test('next() before report() throws; report() without invoke throws', () => {
    const plan = createBatchPlan(batch(2), base, new ManualClock(T0));
    assert.throws(() => plan.report(OK), /no invoke is outstanding/);
    plan.next();
    assert.throws(() => plan.next(), /not reported/);
  });
  test('without ReportBatchItemFailures a batchItemFailures payload is ignored (success)', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(3), base, clock), () => ({ kind: 'success', payload: { batchItemFailures: [{ itemIdentifier: 'seq-1' }] } }), clock);
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 3 }]);
  });
});

describe('batch plan: retries and backoff', () => {
  for (const max of [0, 1, 2, 5, 10]) {
    test(`MaximumRetryAttempts=${max}: 1 + ${max} invokes, then RetryAttemptsExhausted`, () => {
      const clock = new ManualClock(T0);
      const r = drive(createBatchPlan(batch(4), { ...base, maximumRetryAttempts: max }, clock), () => ERROR, clock);
      assert.equal(r.invokes.length, 1 + max);
      assert.deepEqual(r.invokes.map((i) => i.attempt), Array.from({ length: 1 + max }, (_, i) => i + 1));
      assert.deepEqual(r.settled, [
        { kind: 'on-failure', start: 0, end: 4, condition: 'RetryAttemptsExhausted', attempts: 1 + max, lastError: { errorType: 'Error', errorMessage: 'boom', statusCode: 200 } },
      ]);
      assert.deepEqual(r.backoffs, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000].slice(0, max));
    });
  }
  test('success after two failures finishes the batch; time advanced by the backoffs', () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const r = drive(createBatchPlan(batch(3), { ...base, maximumRetryAttempts: 5 }, clock), () => (++calls <= 2 ? ERROR : OK), clock);
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 3 }]);
    assert.equal(clock.now(), T0 + 3000);
  });
  test('custom backoff function receives 1-based consecutive failures', () => {
    const clock = new ManualClock(T0);
    const seen: number[] = [];
    drive(createBatchPlan(batch(1), { ...base, maximumRetryAttempts: 3, backoffMs: (n) => (seen.push(n), 7) }, clock), () => ERROR, clock);
    assert.deepEqual(seen, [1, 2, 3]);
  });
  test('infinite retries (-1) keep retrying until success', () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const r = drive(createBatchPlan(batch(2), base, clock), () => (++calls <= 50 ? ERROR : OK), clock);
    assert.equal(r.invokes.length, 51);
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 2 }]);
  });
  test('throttled errors use no retry and do not bisect', () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const r = drive(
      createBatchPlan(batch(4), { ...base, maximumRetryAttempts: 0, bisectBatchOnFunctionError: true }, clock),
      () => (++calls <= 5 ? THROTTLED : OK),
      clock,
    );
    assert.ok(r.invokes.every((i) => i.start === 0 && i.end === 4));
    assert.equal(r.invokes.length, 6);
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 4 }]);
    assert.deepEqual(r.backoffs, [1000, 2000, 4000, 8000, 16000]);
  });
});

describe('batch plan: MaximumRecordAgeInSeconds', () => {
  test('records already expired go on-failure without any invoke', () => {
    const clock = new ManualClock(T0 + 61_000);
    const r = drive(createBatchPlan(batch(3), { ...base, maximumRecordAgeInSeconds: 60 }, clock), () => OK, clock);
    assert.equal(r.invokes.length, 0);
    assert.deepEqual(r.settled, [{ kind: 'on-failure', start: 0, end: 3, condition: 'RecordAgeExceeded', attempts: 0 }]);
  });
  test('exactly at the limit is not expired', () => {
    const clock = new ManualClock(T0 + 60_000);
    const r = drive(createBatchPlan(batch(3), { ...base, maximumRecordAgeInSeconds: 60 }, clock), () => OK, clock);
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 3 }]);
  });
  test('a failing batch expires during retries: RecordAgeExceeded with the invoke count', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(2), { ...base, maximumRecordAgeInSeconds: 60 }, clock), () => ERROR, clock);
    // backoffs 1+2+4+8+16+32 = 63 s > 60 s: the 7th invoke never happens
    assert.equal(r.invokes.length, 6);
    assert.deepEqual(r.settled, [
      { kind: 'on-failure', start: 0, end: 2, condition: 'RecordAgeExceeded', attempts: 6, lastError: { errorType: 'Error', errorMessage: 'boom', statusCode: 200 } },
    ]);
  });
  test('only the expired prefix is discarded; younger records are invoked', () => {
    const clock = new ManualClock(T0 + 100_000);
    const recs = [
      { id: recordId('a'), arrivalMs: T0 },
      { id: recordId('b'), arrivalMs: T0 + 10_000 },
      { id: recordId('c'), arrivalMs: T0 + 50_000 },
      { id: recordId('d'), arrivalMs: T0 + 90_000 },
    ];
    const r = drive(createBatchPlan(recs, { ...base, maximumRecordAgeInSeconds: 60 }, clock), () => OK, clock);
    assert.deepEqual(r.settled, [
      { kind: 'on-failure', start: 0, end: 2, condition: 'RecordAgeExceeded', attempts: 0 },
      { kind: 'finished', start: 2, end: 4 },
    ]);
    assert.deepEqual(r.invokes, [{ start: 2, end: 4, attempt: 1 }]);
  });
  test('throttled forever ends by record age', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(1), { ...base, maximumRecordAgeInSeconds: 300, maximumRetryAttempts: 1 }, clock), () => THROTTLED, clock);
    assert.equal(r.settled.length, 1);
    assert.equal(r.settled[0]?.kind === 'on-failure' && r.settled[0].condition, 'RecordAgeExceeded');
    assert.ok(r.invokes.length > 2, 'throttles did not use the single retry');
  });
  test('age check wins over the retry quota when both apply at the next invoke', () => {
    const clock = new ManualClock(T0);
    const r = drive(
      createBatchPlan(batch(1), { ...base, maximumRecordAgeInSeconds: 60, maximumRetryAttempts: 1, backoffMs: () => 61_000 }, clock),
      () => ERROR,
      clock,
    );
    assert.equal(r.invokes.length, 1);
    assert.equal(r.settled[0]?.kind === 'on-failure' && r.settled[0].condition, 'RecordAgeExceeded');
  });
});

function poisonFn(poison: number, rbif: boolean): (s: number, e: number) => PlanOutcome {
  return (s, e) => {
    if (poison < s || poison >= e) return OK;
    return rbif ? { kind: 'success', payload: { batchItemFailures: [{ itemIdentifier: `seq-${poison}` }] } } : ERROR;
  };
}

describe('batch plan: bisect isolates a poison record at every position of batches of 1..64', () => {
  for (const rbif of [false, true]) {
    for (const max of [0, 2]) {
      test(`ReportBatchItemFailures=${rbif}, MaximumRetryAttempts=${max}`, () => {
        for (let n = 1; n <= 64; n++) {
          for (let p = 0; p < n; p++) {
            const clock = new ManualClock(T0);
            const cfg = { ...base, bisectBatchOnFunctionError: true, reportBatchItemFailures: rbif, maximumRetryAttempts: max };
            const r = drive(createBatchPlan(batch(n), cfg, clock), poisonFn(p, rbif), clock);
            const where = `n=${n} p=${p}`;
            assert.equal(coverageProblem(r.settled, n), undefined, where);
            const failures = r.settled.filter((s) => s.kind === 'on-failure');
            assert.equal(failures.length, 1, where);
            const f = failures[0];
            assert.ok(f && f.kind === 'on-failure' && f.start === p && f.end === p + 1 && f.condition === 'RetryAttemptsExhausted', where);
            const alone = r.invokes.filter((i) => i.start === p && i.end === p + 1).length;
            assert.equal(alone, 1 + max, `${where}: the poison record alone is invoked 1 + MaximumRetryAttempts times`);
            assert.equal(f.attempts, r.invokes.filter((i) => i.start <= p && p < i.end).length, where);
            // bisect is immediate: only the poison record's own retries back off
            assert.equal(r.backoffs.length, max, where);
            // no record other than the poison one is ever invoked after it was finished
            for (const s of r.settled) if (s.kind === 'finished') assert.ok(s.end <= p || s.start > p, where);
          }
        }
      });
    }
  }
  test('bisect halves: first half first, ceil(n/2) records', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(5), { ...base, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, clock), poisonFn(4, false), clock);
    assert.deepEqual(
      r.invokes.map((i) => [i.start, i.end]),
      [[0, 5], [0, 3], [3, 5], [3, 4], [4, 5]],
    );
  });
  test('bisect with every record failing ends with each record on-failure alone, in order', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(8), { ...base, bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 }, clock), () => ERROR, clock);
    assert.equal(coverageProblem(r.settled, 8), undefined);
    assert.deepEqual(r.settled.map((s) => [s.kind, s.start, s.end]), Array.from({ length: 8 }, (_, i) => ['on-failure', i, i + 1]));
  });
});

describe('batch plan: ReportBatchItemFailures without bisect', () => {
  const cfg = { ...base, reportBatchItemFailures: true, maximumRetryAttempts: 2 };
  test('partial: records before the lowest reported one finish, the rest is retried and counts', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(6), cfg, clock), poisonFn(3, true), clock);
    assert.deepEqual(r.invokes.map((i) => [i.start, i.end, i.attempt]), [[0, 6, 1], [3, 6, 2], [3, 6, 3]]);
    assert.deepEqual(r.settled, [
      { kind: 'finished', start: 0, end: 3 },
      { kind: 'on-failure', start: 3, end: 6, condition: 'RetryAttemptsExhausted', attempts: 3, lastError: { errorType: '', errorMessage: 'partial batch failure reported', statusCode: 200 } },
    ]);
    assert.deepEqual(r.backoffs, [1000, 2000]);
  });
  test('the lowest of several reported records is the checkpoint', () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const r = drive(
      createBatchPlan(batch(6), cfg, clock),
      (s) => (++calls === 1 ? { kind: 'success', payload: { batchItemFailures: [{ itemIdentifier: 'seq-4' }, { itemIdentifier: 'seq-2' }] } } : (assert.equal(s, 2), OK)),
      clock,
    );
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 2 }, { kind: 'finished', start: 2, end: 6 }]);
  });
  test('a full-failure response (unknown identifier) retries the whole range', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(3), { ...cfg, maximumRetryAttempts: 1 }, clock), () => ({ kind: 'success', payload: { batchItemFailures: [{ itemIdentifier: 'zzz' }] } }), clock);
    assert.deepEqual(r.invokes.map((i) => [i.start, i.end]), [[0, 3], [0, 3]]);
    assert.equal(r.settled.length, 1);
    assert.ok(r.settled[0]?.kind === 'on-failure' && r.settled[0].start === 0 && r.settled[0].end === 3);
  });
  test('empty list and null response are success', () => {
    for (const payload of [null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      const clock = new ManualClock(T0);
      const r = drive(createBatchPlan(batch(3), cfg, clock), () => ({ kind: 'success', payload }), clock);
      assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 3 }], JSON.stringify(payload));
    }
  });
  test('a function error is still a plain failure of the range', () => {
    const clock = new ManualClock(T0);
    const r = drive(createBatchPlan(batch(3), { ...cfg, maximumRetryAttempts: 0 }, clock), () => ERROR, clock);
    assert.deepEqual(r.settled.map((s) => s.kind), ['on-failure']);
  });
});

describe('batch plan: ReportBatchItemFailures with bisect splits at the reported record', () => {
  test('the remainder is retried at once and does not use a retry', () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const r = drive(
      createBatchPlan(batch(6), { ...base, reportBatchItemFailures: true, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 }, clock),
      () => (++calls === 1 ? { kind: 'success', payload: { batchItemFailures: [{ itemIdentifier: 'seq-4' }] } } : OK),
      clock,
    );
    assert.deepEqual(r.invokes.map((i) => [i.start, i.end]), [[0, 6], [4, 6]]);
    assert.deepEqual(r.settled, [{ kind: 'finished', start: 0, end: 4 }, { kind: 'finished', start: 4, end: 6 }]);
    assert.deepEqual(r.backoffs, []);
  });
});

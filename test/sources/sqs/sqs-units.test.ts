/** Pure parts of the SQS source: scaling rules and the visibility keeper (manual clock). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqsScaler } from '../../../src/sources/sqs/scaler.js';
import { VisibilityKeeper } from '../../../src/sources/sqs/visibility.js';
import { ManualClock } from '../../../src/core/clock.js';
import { sqsEnvelope } from '../../../src/sources/sqs/event.js';

describe('SqsScaler', () => {
  test('starts at 5, grows by one per full receive at most every 200 ms, up to the cap', () => {
    const s = new SqsScaler({ max: 7 });
    assert.equal(s.target, 5);
    assert.equal(s.onReceive(10, 0), true);
    assert.equal(s.target, 6);
    assert.equal(s.onReceive(10, 100), false, 'rate limited');
    assert.equal(s.onReceive(10, 200), true);
    assert.equal(s.target, 7);
    assert.equal(s.onReceive(10, 1000), false, 'capped');
    assert.equal(s.onReceive(3, 2000), false, 'a partial receive changes nothing');
    assert.equal(s.target, 7);
  });
  test('shrinks on empty receives and halves on failed invokes, never below the floor', () => {
    const s = new SqsScaler({ max: 100 });
    for (let i = 0; i < 20; i++) s.onReceive(10, i * 200);
    assert.equal(s.target, 25);
    assert.equal(s.onReceive(0, 10_000), true);
    assert.equal(s.target, 24);
    assert.equal(s.onReceive(0, 10_500), false, 'rate limited');
    assert.equal(s.onInvokeFailed(11_000), true);
    assert.equal(s.target, 12);
    s.onInvokeFailed(12_000);
    s.onInvokeFailed(13_000);
    assert.equal(s.target, 5);
    assert.equal(s.onInvokeFailed(14_000), false);
    assert.equal(s.target, 5);
  });
  test('MaximumConcurrency below 5 is the starting point and the cap', () => {
    const s = new SqsScaler({ max: 2 });
    assert.equal(s.target, 2);
    s.onReceive(10, 0);
    assert.equal(s.target, 2);
  });
});

describe('VisibilityKeeper', () => {
  test('extends messages held past half the timeout, again and again, until untracked', async () => {
    const clock = new ManualClock(0);
    const calls: { handles: string[]; seconds: number; at: number }[] = [];
    const k = new VisibilityKeeper({
      clock,
      visibilityTimeoutSec: 4,
      extend: async (handles, seconds) => {
        calls.push({ handles: [...handles], seconds, at: clock.now() });
        return [];
      },
    });
    k.track(['a', 'b'], 0);
    clock.advance(1000);
    await Promise.resolve();
    assert.equal(calls.length, 0, 'not yet half the timeout');
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [{ handles: ['a', 'b'], seconds: 4, at: 2000 }]);
    k.untrack(['a']);
    clock.advance(2000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls[1], { handles: ['b'], seconds: 4, at: 4000 });
    k.untrack(['b']);
    assert.equal(clock.pendingTimers, 0, 'no timer while nothing is held');
    k.close();
  });
  test('a message already past half the timeout when tracked is extended at once; failures are dropped', async () => {
    const clock = new ManualClock(10_000);
    const calls: string[][] = [];
    const k = new VisibilityKeeper({
      clock,
      visibilityTimeoutSec: 2,
      extend: async (handles) => {
        calls.push([...handles]);
        return ['gone'];
      },
    });
    k.track(['ok', 'gone'], 8_500);
    clock.advance(0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [['ok', 'gone']]);
    assert.equal(k.size, 1, 'the failed one is no longer tracked');
    k.close();
    assert.equal(clock.pendingTimers, 0);
  });
  test('visibility timeout 0: nothing to protect', () => {
    const clock = new ManualClock(0);
    const k = new VisibilityKeeper({ clock, visibilityTimeoutSec: 0, extend: async () => [] });
    k.track(['a'], 0);
    assert.equal(k.size, 0);
    assert.equal(clock.pendingTimers, 0);
  });
});

test('sqs envelope overhead is the byte length of {"Records":[]}', () => {
  assert.equal(sqsEnvelope.overheadBytes, JSON.stringify(sqsEnvelope.wrap([])).length);
});

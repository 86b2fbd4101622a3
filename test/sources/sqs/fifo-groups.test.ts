/** FifoGroups: per-group hold/block bookkeeping for FIFO queues (pure, manual clock). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FifoGroups } from '../../../src/sources/sqs/fifo-groups.js';
import { ManualClock } from '../../../src/core/clock.js';

/** A message "g:n". */
type M = string;
const group = (m: M): string => m.split(':')[0]!;

function gate(clock = new ManualClock(), over: { waveSize?: number; maxHeld?: number } = {}): FifoGroups<M> {
  return new FifoGroups<M>({ clock, groupOf: group, idOf: (m) => m, graceMs: 1000, ...over });
}
/** Visibility deadline of a released message in these tests: 2 s after "now". */
const deadline = (clock: ManualClock) => (): number => clock.now() + 2000;

describe('FifoGroups', () => {
  test('messages received together for free groups are pushed together, in receive order', () => {
    const g = gate();
    const d = g.admit(['a:0', 'b:0', 'a:1', 'a:2', 'b:1']);
    assert.deepEqual(d.push, ['a:0', 'a:1', 'a:2', 'b:0', 'b:1']);
    assert.deepEqual(d.defer, []);
    assert.equal(g.held, 0);
  });

  test('a group with messages in flight holds later ones until they complete, then pushes one wave at a time', () => {
    const clock = new ManualClock();
    const g = gate(clock);
    assert.deepEqual(g.admit(['a:0', 'b:0']).push, ['a:0', 'b:0']);
    const d = g.admit(['a:1', 'b:1', 'a:2', 'c:0']);
    assert.deepEqual(d.push, ['c:0'], 'only the free group goes');
    assert.equal(g.held, 3);
    assert.deepEqual(g.settled(['a:0'], 'complete', deadline(clock)).push, ['a:1'], 'wave size 1');
    assert.deepEqual(g.settled(['a:1'], 'complete', deadline(clock)).push, ['a:2']);
    assert.deepEqual(g.settled(['b:0'], 'complete', deadline(clock)).push, ['b:1']);
    assert.equal(g.held, 0);
    assert.deepEqual(g.settled(['a:2', 'b:1', 'c:0'], 'complete', deadline(clock)).push, []);
  });

  test('after a release the group is blocked: later messages wait behind the released one, which goes first when it returns', () => {
    const clock = new ManualClock();
    const g = gate(clock);
    assert.deepEqual(g.admit(['a:0', 'a:1', 'b:0']).push, ['a:0', 'a:1', 'b:0']);
    assert.deepEqual(g.admit(['a:2', 'a:3']).push, [], 'held behind the in-flight wave');
    g.settled(['a:0'], 'complete', deadline(clock));
    const r = g.settled(['a:1'], 'release', deadline(clock));
    assert.deepEqual(r, { push: [], defer: [] }, 'nothing overtakes a:1');
    assert.equal(g.isBlocked('a'), true);
    assert.equal(g.isBlocked('b'), false);
    // Other groups keep flowing; the blocked group's new messages are held too.
    g.settled(['b:0'], 'complete', deadline(clock));
    assert.deepEqual(g.admit(['b:1', 'a:4']).push, ['b:1']);
    clock.advance(2000);
    // a:1 comes back (after later messages in the same receive): it is pushed first, alone.
    assert.deepEqual(g.admit(['a:5', 'a:1']).push, ['a:1']);
    assert.equal(g.isBlocked('a'), false, 'every released message came back');
    assert.deepEqual(g.settled(['a:1'], 'complete', deadline(clock)).push, ['a:2']);
    const order: M[] = [];
    for (let m: M | undefined = 'a:2'; m; ) {
      order.push(m);
      m = g.settled([m], 'complete', deadline(clock)).push[0];
    }
    assert.deepEqual(order, ['a:2', 'a:3', 'a:4', 'a:5']);
  });

  test('several released messages come back in any order: pushed in their original order', () => {
    const clock = new ManualClock();
    const g = gate(clock);
    g.admit(['a:0', 'a:1', 'a:2']);
    g.admit(['a:3']);
    g.settled(['a:0'], 'complete', deadline(clock));
    g.settled(['a:1', 'a:2'], 'release', deadline(clock));
    assert.deepEqual(g.admit(['a:2']).push, [], 'a:2 waits for a:1');
    assert.equal(g.isBlocked('a'), true);
    assert.deepEqual(g.admit(['a:1']).push, ['a:1'], 'a:1 first');
    assert.equal(g.isBlocked('a'), false);
    assert.deepEqual(g.settled(['a:1'], 'complete', deadline(clock)).push, ['a:2']);
    assert.deepEqual(g.settled(['a:2'], 'complete', deadline(clock)).push, ['a:3']);
  });

  test('the block ends at the deadline when a released message never returns (DLQ), and held ones move on', () => {
    const clock = new ManualClock();
    const g = gate(clock);
    g.admit(['a:0']);
    g.settled(['a:0'], 'release', deadline(clock)); // blocked until now + 2000 + 1000
    assert.deepEqual(g.admit(['a:1', 'a:2']).push, []);
    clock.advance(2999);
    assert.deepEqual(g.admit([]).push, [], 'still blocked just before the deadline');
    clock.advance(1);
    assert.deepEqual(g.admit([]).push, ['a:1'], 'an empty receive re-checks deadlines');
    assert.equal(g.isBlocked('a'), false);
    assert.deepEqual(g.settled(['a:1'], 'complete', deadline(clock)).push, ['a:2']);
  });

  test('a release extends the block to the latest deadline', () => {
    const clock = new ManualClock();
    const g = gate(clock);
    g.admit(['a:0', 'a:1']);
    g.settled(['a:0'], 'release', () => clock.now() + 1000);
    g.settled(['a:1'], 'release', () => clock.now() + 5000);
    clock.advance(5999);
    assert.equal(g.isBlocked('a'), true);
    clock.advance(1);
    assert.equal(g.isBlocked('a'), false);
  });

  test('past maxHeld, new messages of a busy or blocked group are deferred (until the block ends)', () => {
    const clock = new ManualClock();
    const g = gate(clock, { maxHeld: 2 });
    g.admit(['a:0', 'b:0']);
    assert.deepEqual(g.admit(['a:1', 'a:2', 'a:3']).defer, [{ record: 'a:3', untilMs: clock.now() + 1000 }]);
    g.settled(['b:0'], 'release', () => clock.now() + 2000);
    assert.deepEqual(g.admit(['b:1']).defer, [{ record: 'b:1', untilMs: clock.now() + 3000 }]);
    assert.deepEqual(g.admit(['c:0']).push, ['c:0'], 'a free group is never deferred');
    assert.equal(g.held, 2);
  });

  test('forget drops pushed messages the pipeline did not accept', () => {
    const clock = new ManualClock();
    const g = gate(clock);
    g.admit(['a:0']);
    g.forget(['a:0']);
    assert.deepEqual(g.admit(['a:1']).push, ['a:1']);
  });
});

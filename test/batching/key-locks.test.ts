import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyLocks } from '../../src/batching/key-locks.js';
import { Batcher, type Batch } from '../../src/batching/batcher.js';
import { rec } from './records.js';

const T0 = 1_700_000_000_000;
const ns = (b: Batch): number[] => b.records.map((r) => (r.event as { n: number }).n);
function takeBatch(b: Batcher): Batch {
  const r = b.take(T0);
  assert.equal(r.kind, 'batch', `expected a batch, got ${JSON.stringify(r)}`);
  return (r as { batch: Batch }).batch;
}

describe('KeyLocks interning', () => {
  test('one id per key while referenced; a key that comes back keeps its id until a sweep', () => {
    const l = new KeyLocks();
    const a = l.ref('a');
    const b = l.ref('b');
    assert.notEqual(a, b);
    assert.equal(l.ref('a'), a);
    assert.equal(l.interned, 2);
    l.unref(a);
    assert.equal(l.interned, 2, 'still one record of key a');
    l.unref(a);
    assert.equal(l.interned, 1);
    assert.equal(l.ref('a'), a, 'a came back before any sweep: same id');
    assert.notEqual(l.ref('c'), a);
  });

  test('the table is swept of unused ids once it reaches twice the keys in use (bounded); freed ids are reused', () => {
    const l = new KeyLocks(4);
    const ids = ['a', 'b', 'c', 'd'].map((k) => l.ref(k));
    l.unref(ids[0]!);
    l.unref(ids[1]!);
    l.unref(ids[2]!);
    assert.equal(l.tableSize, 4, 'unused keys stay until the table is full');
    assert.equal(l.interned, 1);
    const e = l.ref('e'); // table at 4 entries: swept first
    assert.equal(l.tableSize, 2, 'd and e');
    assert.ok(ids.slice(0, 3).includes(e), 'a freed id is reused');
    assert.notEqual(l.ref('a'), ids[3], 'a is a new key now, not d');
    // Keys churning through: the table never grows past max(minSweep, 2 x keys in use) + 1.
    for (let i = 0; i < 1000; i++) {
      l.unref(l.ref(`k${i}`));
      assert.ok(l.tableSize <= Math.max(4, 2 * l.interned) + 1, `table ${l.tableSize} with ${l.interned} in use`);
    }
    assert.equal(l.interned, 3, 'd, e and a are still in use');
  });

  test('hold/release count keys, not records; an unreferenced key is no longer held', () => {
    const l = new KeyLocks();
    const a = l.ref('a');
    l.ref('a');
    l.hold(a);
    l.hold(a);
    assert.equal(l.size, 1);
    assert.equal(l.isHeld(a), true);
    l.release(a);
    assert.equal(l.size, 0);
    assert.equal(l.isHeld(a), false);
    l.hold(a);
    l.unref(a);
    l.unref(a);
    assert.equal(l.size, 0);
    assert.equal(l.interned, 0);
  });
});

describe('Batcher key locking', () => {
  test('maxInFlight raised while a batch runs alone: its keys are locked before another batch starts', () => {
    const b = new Batcher({ batchSize: 2, windowMs: 0, windowStart: 'after-invoke', overheadBytes: 14, maxInFlight: 1 });
    b.add(rec(0, 'x'), 0, T0);
    b.add(rec(1, 'y'), 1, T0);
    b.add(rec(2, 'x'), 2, T0); // must wait for batch [0, 1]: same key x
    b.add(rec(3, 'z'), 3, T0);
    const first = takeBatch(b);
    assert.deepEqual(ns(first), [0, 1]);
    assert.deepEqual([...first.keys].sort(), ['x', 'y']);
    b.setMaxInFlight(2);
    const second = takeBatch(b);
    assert.deepEqual(ns(second), [3], 'record 2 (key x) skipped while batch [0, 1] holds x');
    assert.equal(b.take(T0).kind, 'blocked');
    b.complete(first, T0);
    assert.deepEqual(ns(takeBatch(b)), [2]);
  });

  test('records buffered before the raise are locked by key afterwards (interned late)', () => {
    const b = new Batcher({ batchSize: 1, windowMs: 0, windowStart: 'after-invoke', overheadBytes: 14, maxInFlight: 1 });
    for (let i = 0; i < 4; i++) b.add(rec(i, i % 2 === 0 ? 'even' : 'odd'), i, T0);
    b.setMaxInFlight(4);
    const got = [takeBatch(b), takeBatch(b)];
    assert.deepEqual(got.map(ns), [[0], [1]]);
    assert.equal(b.take(T0).kind, 'blocked', 'records 2 and 3 wait for their keys');
    b.complete(got[1]!, T0);
    assert.deepEqual(ns(takeBatch(b)), [3]);
    b.complete(got[0]!, T0);
    assert.deepEqual(ns(takeBatch(b)), [2]);
  });

  test('drained and completed records give their key ids back', () => {
    const b = new Batcher({ batchSize: 2, windowMs: 0, windowStart: 'after-invoke', overheadBytes: 14, maxInFlight: 3 });
    for (let i = 0; i < 6; i++) b.add(rec(i, `k${i}`), i, T0);
    const first = takeBatch(b);
    assert.equal(b.drainBuffer().length, 4);
    b.complete(first, T0);
    for (let i = 0; i < 3; i++) b.add(rec(10 + i, 'k0'), 10 + i, T0);
    assert.deepEqual(ns(takeBatch(b)), [10, 11]);
    assert.equal(b.take(T0).kind, 'blocked', 'k0 held');
  });
});

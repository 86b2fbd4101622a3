import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher, type Batch, type BatcherOptions } from '../../src/batching/batcher.js';
import { PAYLOAD_LIMIT_BYTES } from '../../src/batching/payload-size.js';
import { createRng } from './prng.js';
import { rec } from './records.js';

const T0 = 1_700_000_000_000;
const opts = (o: Partial<BatcherOptions> = {}): BatcherOptions => ({
  batchSize: 100,
  windowMs: 0,
  windowStart: 'after-invoke',
  overheadBytes: 14,
  maxInFlight: 1,
  ...o,
});
const ns = (b: Batch): number[] => b.records.map((r) => (r.event as { n: number }).n);
function takeBatch(b: Batcher, now: number, flush = false): Batch {
  const r = b.take(now, flush);
  assert.equal(r.kind, 'batch', `expected a batch, got ${JSON.stringify(r)}`);
  return (r as { batch: Batch }).batch;
}

describe('Batcher flush rules', () => {
  test('BatchSize: a full batch goes at once, even inside the window', () => {
    const b = new Batcher(opts({ batchSize: 3, windowMs: 10_000 }));
    for (let i = 0; i < 4; i++) b.add(rec(i), i, T0);
    assert.deepEqual(ns(takeBatch(b, T0)), [0, 1, 2]);
    assert.equal(b.take(T0).kind, 'blocked'); // one in flight (maxInFlight 1)
  });

  test('window 0: whatever is buffered goes as soon as a slot is free', () => {
    const b = new Batcher(opts({ batchSize: 10 }));
    b.add(rec(1), 1, T0);
    const first = takeBatch(b, T0);
    b.add(rec(2), 2, T0);
    b.add(rec(3), 3, T0);
    assert.equal(b.take(T0).kind, 'blocked');
    b.complete(first, T0 + 5);
    assert.deepEqual(ns(takeBatch(b, T0 + 5)), [2, 3]);
    assert.equal(b.take(T0 + 5).kind, 'empty');
  });

  test('after-invoke window (Kinesis/DynamoDB/SQS): first window from the first record, next from the previous invoke completion', () => {
    const b = new Batcher(opts({ batchSize: 10, windowMs: 1000, windowStart: 'after-invoke' }));
    assert.equal(b.take(T0).kind, 'empty');
    b.add(rec(1), 1, T0 + 100);
    assert.deepEqual(b.take(T0 + 100), { kind: 'wait', atMs: T0 + 1100 });
    assert.deepEqual(b.take(T0 + 1099), { kind: 'wait', atMs: T0 + 1100 });
    const first = takeBatch(b, T0 + 1100);
    b.complete(first, T0 + 1500);
    b.add(rec(2), 2, T0 + 1600);
    assert.deepEqual(b.take(T0 + 1600), { kind: 'wait', atMs: T0 + 2500 });
    const second = takeBatch(b, T0 + 2500);
    b.complete(second, T0 + 3000);
    // The window that started at completion already expired: a later record goes at once.
    b.add(rec(3), 3, T0 + 5000);
    assert.deepEqual(ns(takeBatch(b, T0 + 5000)), [3]);
  });

  test('first-record window (Kafka/MQ): the window starts at the first record of the batch', () => {
    const b = new Batcher(opts({ batchSize: 10, windowMs: 500, windowStart: 'first-record' }));
    b.add(rec(1), 1, T0);
    const first = takeBatch(b, T0 + 500);
    b.complete(first, T0 + 600);
    b.add(rec(2), 2, T0 + 5000);
    b.add(rec(3), 3, T0 + 5200);
    assert.deepEqual(b.take(T0 + 5200), { kind: 'wait', atMs: T0 + 5500 });
    assert.deepEqual(ns(takeBatch(b, T0 + 5500)), [2, 3]);
  });

  test('flush (closing with drain) ignores the window', () => {
    const b = new Batcher(opts({ batchSize: 10, windowMs: 60_000 }));
    b.add(rec(1), 1, T0);
    assert.equal(b.take(T0).kind, 'wait');
    assert.deepEqual(ns(takeBatch(b, T0, true)), [1]);
  });

  test('maxInFlight limits batches in flight; setMaxInFlight changes it', () => {
    const b = new Batcher(opts({ batchSize: 1, maxInFlight: 2 }));
    for (let i = 0; i < 5; i++) b.add(rec(i, `k${i}`), i, T0);
    const a = takeBatch(b, T0);
    takeBatch(b, T0);
    assert.equal(b.take(T0).kind, 'blocked');
    b.setMaxInFlight(3);
    takeBatch(b, T0);
    assert.equal(b.take(T0).kind, 'blocked');
    b.complete(a, T0);
    assert.deepEqual(ns(takeBatch(b, T0)), [3]);
    assert.equal(b.inFlight, 3);
  });
});

describe('Batcher 6 MB cap', () => {
  const overhead = 13;
  test('a batch exactly at the cap goes as one batch', () => {
    const b = new Batcher(opts({ overheadBytes: overhead, windowMs: 10_000 }));
    // 3 records + 2 commas + overhead = cap
    const each = (PAYLOAD_LIMIT_BYTES - overhead - 2) / 3;
    assert.ok(Number.isInteger(each));
    for (let i = 0; i < 3; i++) b.add(rec(i, 'k', { bytes: each }), i, T0);
    // Not full yet by bytes (nothing left that would not fit): waits for the window.
    assert.equal(b.take(T0).kind, 'wait');
    const batch = takeBatch(b, T0 + 10_000);
    assert.equal(batch.records.length, 3);
    assert.equal(batch.bytes, PAYLOAD_LIMIT_BYTES);
    assert.equal(batch.oversized, false);
  });

  test('one byte over the cap: the batch is cut before the record that does not fit, and goes at once', () => {
    const b = new Batcher(opts({ overheadBytes: overhead, windowMs: 10_000 }));
    const each = (PAYLOAD_LIMIT_BYTES - overhead - 2) / 3;
    b.add(rec(0, 'k', { bytes: each }), 0, T0);
    b.add(rec(1, 'k', { bytes: each }), 1, T0);
    b.add(rec(2, 'k', { bytes: each + 1 }), 2, T0);
    const batch = takeBatch(b, T0); // full by bytes: no window wait
    assert.deepEqual(ns(batch), [0, 1]);
    assert.equal(batch.bytes, overhead + 2 * each + 1);
    assert.ok(batch.bytes <= PAYLOAD_LIMIT_BYTES);
    b.complete(batch, T0);
    assert.deepEqual(b.take(T0), { kind: 'wait', atMs: T0 + 10_000 });
  });

  test('a single record exactly filling the cap is sent; one byte more is an oversized record of its own', () => {
    const b = new Batcher(opts({ overheadBytes: overhead }));
    b.add(rec(0, 'k', { bytes: PAYLOAD_LIMIT_BYTES - overhead }), 0, T0);
    const ok = takeBatch(b, T0);
    assert.equal(ok.oversized, false);
    assert.equal(ok.bytes, PAYLOAD_LIMIT_BYTES);
    b.complete(ok, T0);
    b.add(rec(1, 'k', { bytes: PAYLOAD_LIMIT_BYTES - overhead + 1 }), 1, T0);
    b.add(rec(2, 'k'), 2, T0);
    const big = takeBatch(b, T0);
    assert.equal(big.oversized, true);
    assert.deepEqual(ns(big), [1]);
    // The oversized record holds its key like any batch: record 2 (same key) waits for it.
    assert.equal(b.take(T0).kind, 'blocked');
    b.complete(big, T0);
    assert.deepEqual(ns(takeBatch(b, T0)), [2]);
  });

  test('records before an oversized one go first, as a full batch', () => {
    const b = new Batcher(opts({ overheadBytes: overhead, windowMs: 60_000, maxInFlight: 2 }));
    b.add(rec(0, 'a'), 0, T0);
    b.add(rec(1, 'b', { bytes: PAYLOAD_LIMIT_BYTES }), 1, T0);
    assert.deepEqual(ns(takeBatch(b, T0)), [0]);
    const big = takeBatch(b, T0);
    assert.equal(big.oversized, true);
  });
});

describe('Batcher per-key ordering', () => {
  test('a key held by an in-flight batch blocks only its own later records', () => {
    const b = new Batcher(opts({ batchSize: 10, maxInFlight: 2 }));
    b.add(rec(0, 'k1'), 0, T0);
    const first = takeBatch(b, T0);
    b.add(rec(1, 'k1'), 1, T0);
    b.add(rec(2, 'k2'), 2, T0);
    b.add(rec(3, 'k1'), 3, T0);
    b.add(rec(4, 'k3'), 4, T0);
    const second = takeBatch(b, T0);
    assert.deepEqual(ns(second), [2, 4]);
    b.complete(first, T0);
    assert.deepEqual(ns(takeBatch(b, T0)), [1, 3]);
  });

  test('ParallelizationFactor 10, random keys, random completion order: keys never in two in-flight batches, each key in order, nothing lost', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = createRng(seed);
      const keys = 1 + rng.int(30);
      const batchSize = 1 + rng.int(20);
      const b = new Batcher(opts({ batchSize, maxInFlight: 10 }));
      const total = 200 + rng.int(300);
      let added = 0;
      const inFlight: Batch[] = [];
      const lastSent = new Map<string, number>();
      let sent = 0;
      const now = T0;
      while (sent < total) {
        // Random interleaving of arrivals, takes and completions.
        const r = rng.next();
        if (r < 0.4 && added < total) {
          const n = 1 + rng.int(15);
          for (let i = 0; i < n && added < total; i++, added++) b.add(rec(added, `key-${rng.int(keys)}`), added, now);
        } else if (r < 0.75) {
          const t = b.take(now);
          if (t.kind === 'batch') {
            const held = new Set(inFlight.flatMap((x) => [...x.keys]));
            for (const k of t.batch.keys) assert.ok(!held.has(k), `seed ${seed}: key ${k} in two in-flight batches`);
            assert.ok(inFlight.length < 10);
            for (const rcd of t.batch.records) {
              const n = (rcd.event as { n: number }).n;
              const prev = lastSent.get(rcd.partitionKey) ?? -1;
              assert.ok(n > prev, `seed ${seed}: key ${rcd.partitionKey} out of order (${n} after ${prev})`);
              lastSent.set(rcd.partitionKey, n);
            }
            assert.ok(t.batch.records.length <= batchSize);
            sent += t.batch.records.length;
            inFlight.push(t.batch);
          } else if (t.kind === 'empty' && added >= total) {
            assert.fail(`seed ${seed}: empty with ${total - sent} unsent`);
          }
        } else if (inFlight.length > 0) {
          const [done] = inFlight.splice(rng.int(inFlight.length), 1);
          b.complete(done!, now);
        }
      }
      assert.equal(sent, total);
      assert.equal(b.buffered, 0);
    }
  });
});

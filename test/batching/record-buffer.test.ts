import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixBytes } from '../../src/batching/payload-size.js';
import { RecordBuffer } from '../../src/batching/record-buffer.js';
import type { PolledRecord } from '../../src/sources/source.js';
import { createRng } from './prng.js';
import { rec } from './records.js';

const n = (r: PolledRecord): number => (r.event as { n: number }).n;
/** Appends a run with its own byte totals. */
const add = (b: RecordBuffer, records: PolledRecord[], seq: number, at: number): void => b.append(records, seq, at, prefixBytes(records), 0);

describe('RecordBuffer', () => {
  test('slots map to the appended runs: record, sequence number and acceptance time', () => {
    const b = new RecordBuffer();
    add(b, [rec(0), rec(1), rec(2)], 10, 1000);
    add(b, [rec(3)], 20, 2000);
    add(b, [rec(4), rec(5)], 30, 3000);
    assert.equal(b.length, 6);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((s) => n(b.recordAt(s))), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(b.seqsOfRun(1, 6), [11, 12, 20, 30, 31]);
    assert.deepEqual(b.seqsOf([0, 3, 5]), [10, 20, 31]);
    assert.deepEqual([0, 2, 3, 4, 5].map((s) => b.acceptedAt(s)), [1000, 1000, 2000, 3000, 3000]);
    assert.deepEqual(b.recordsOfRun(1, 3).map(n), [1, 2], 'within one run');
    assert.deepEqual(b.recordsOfRun(2, 6).map(n), [2, 3, 4, 5], 'across runs');
  });

  test('sizes come from the run\'s byte totals, also for a run that is part of a larger poll', () => {
    const b = new RecordBuffer();
    const poll = [rec(0, 'k', { bytes: 5 }), rec(1, 'k', { bytes: 7 }), rec(2, 'k', { bytes: 11 }), rec(3, 'k', { bytes: 13 })];
    const cum = prefixBytes(poll);
    assert.deepEqual([...cum], [0, 5, 12, 23, 36]);
    // A filter dropped record 1: the runs [0] and [2, 3] share the poll's totals.
    b.append(poll.slice(0, 1), 0, 0, cum, 0);
    b.append(poll.slice(2), 2, 0, cum, 2);
    add(b, [rec(9, 'k', { bytes: 17 })], 4, 0);
    assert.deepEqual([0, 1, 2, 3].map((s) => b.bytesAt(s)), [5, 11, 13, 17]);
    assert.equal(b.bytesAt(1), 11, 'looked up again out of order');
  });

  test('fitFrom: whole runs by their totals, the budget\'s end found inside a run, commas counted', () => {
    const b = new RecordBuffer();
    const sized = (bytes: number[]): PolledRecord[] => bytes.map((x, i) => rec(i, 'k', { bytes: x }));
    add(b, sized([10, 10, 10]), 0, 0);
    add(b, sized([20, 20]), 3, 0);
    add(b, sized([5]), 5, 0);
    // All six: 75 bytes + 5 commas.
    assert.deepEqual(b.fitFrom(0, 6, 80), { count: 6, bytes: 80, capped: false });
    assert.deepEqual(b.fitFrom(0, 6, 79), { count: 5, bytes: 74, capped: true }, 'one byte short: the last record stays');
    assert.deepEqual(b.fitFrom(0, 4, 1000), { count: 4, bytes: 53, capped: false }, 'max stops it, not the budget');
    assert.deepEqual(b.fitFrom(1, 3, 41), { count: 2, bytes: 21, capped: true }, 'from inside a run, ends inside the next');
    assert.deepEqual(b.fitFrom(3, 3, 19), { count: 0, bytes: 0, capped: true }, 'the first record alone is over');
    assert.deepEqual(b.fitFrom(6, 10, 100), { count: 0, bytes: 0, capped: false }, 'past the end');
    // Against a record-by-record walk, for every start, max and budget.
    const sizes = [10, 10, 10, 20, 20, 5];
    for (let from = 0; from <= 6; from++) {
      for (let max = 0; max <= 6; max++) {
        for (let budget = 0; budget <= 90; budget++) {
          let count = 0;
          let bytes = 0;
          let capped = false;
          for (let i = from; i < 6 && count < max; i++) {
            const add1 = sizes[i]! + (count > 0 ? 1 : 0);
            if (bytes + add1 > budget) {
              capped = true;
              break;
            }
            bytes += add1;
            count++;
          }
          assert.deepEqual(b.fitFrom(from, max, budget), { count, bytes, capped }, `from ${from} max ${max} budget ${budget}`);
        }
      }
    }
  });

  test('in-order claims move the head; claiming everything empties the buffer', () => {
    const b = new RecordBuffer();
    add(b, [rec(0), rec(1), rec(2)], 0, 0);
    b.claimRun(2);
    assert.equal(b.head, 2);
    assert.equal(b.takenAhead, false);
    b.claimRun(1);
    assert.equal(b.length, 0);
    assert.equal(b.head, 0);
    add(b, [rec(7)], 3, 0);
    assert.equal(n(b.recordAt(0)), 7);
    assert.deepEqual(b.seqsOfRun(0, 1), [3]);
  });

  test('out-of-order claims are jumped over; drain returns the unclaimed records in order', () => {
    const b = new RecordBuffer();
    add(b, [0, 1, 2, 3, 4, 5, 6].map((i) => rec(i)), 0, 0);
    b.claimSlots([1, 2, 4]);
    assert.equal(b.takenAhead, true);
    assert.equal(b.nextUntaken(1), 3);
    assert.equal(b.nextUntaken(4), 5);
    b.claimSlots([0]);
    assert.equal(b.head, 3, 'head passes the claimed slots 0..2');
    add(b, [rec(7)], 7, 0);
    assert.equal(b.nextUntaken(4), 5);
    assert.deepEqual(b.drain().records.map(n), [3, 5, 6, 7]);
    assert.equal(b.length, 0);
  });

  test('random appends and claims over many seeds, across compactions: a model buffer agrees', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = createRng(seed);
      const b = new RecordBuffer();
      // The model: every record still buffered, in order, with its sequence number.
      let model: { r: PolledRecord; seq: number }[] = [];
      let nextN = 0;
      let nextSeq = 0;
      for (let step = 0; step < 400; step++) {
        const roll = rng.next();
        if (roll < 0.45) {
          const count = 1 + rng.int(rng.next() < 0.2 ? 3000 : 60);
          const run = Array.from({ length: count }, () => rec(nextN++));
          nextSeq += rng.int(3); // filtered records leave gaps between runs
          add(b, run, nextSeq, step);
          run.forEach((r, i) => model.push({ r, seq: nextSeq + i }));
          nextSeq += count;
        } else if (model.length > 0 && roll < 0.75) {
          // In order from the head, as the batcher does when no slot ahead is claimed.
          if (b.takenAhead) continue;
          const count = 1 + rng.int(Math.min(model.length, 500));
          const head = b.head;
          assert.deepEqual(b.recordsOfRun(head, head + count).map(n), model.slice(0, count).map((m) => n(m.r)), `seed ${seed}`);
          assert.deepEqual(b.seqsOfRun(head, head + count), model.slice(0, count).map((m) => m.seq), `seed ${seed}`);
          b.claimRun(count);
          model = model.slice(count);
        } else if (model.length > 0) {
          // Out of order: walk the untaken slots and claim a random subset of them.
          const slots: number[] = [];
          const picked = new Set<number>();
          let k = 0;
          for (let s = b.nextUntaken(b.head); s < b.length && slots.length < 200; s = b.nextUntaken(s + 1), k++) {
            assert.equal(n(b.recordAt(s)), n(model[k]!.r), `seed ${seed}: untaken slots walk the model in order`);
            if (rng.next() < 0.3) {
              slots.push(s);
              picked.add(k);
            }
          }
          if (slots.length === 0) continue;
          assert.deepEqual(b.seqsOf(slots), [...picked].map((i) => model[i]!.seq), `seed ${seed}`);
          b.claimSlots(slots);
          model = model.filter((_, i) => !picked.has(i));
        }
        if (model.length === 0) assert.equal(b.length, 0, `seed ${seed}: empty buffer starts over`);
      }
      assert.deepEqual(b.drain().records.map(n), model.map((m) => n(m.r)), `seed ${seed}: drain`);
    }
  });
});

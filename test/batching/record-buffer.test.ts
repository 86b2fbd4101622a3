import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBuffer } from '../../src/batching/record-buffer.js';
import type { PolledRecord } from '../../src/sources/source.js';
import { createRng } from './prng.js';
import { rec } from './records.js';

const n = (r: PolledRecord): number => (r.event as { n: number }).n;

describe('RecordBuffer', () => {
  test('slots map to the appended runs: record, sequence number and acceptance time', () => {
    const b = new RecordBuffer();
    b.append([rec(0), rec(1), rec(2)], 10, 1000);
    b.append([rec(3)], 20, 2000);
    b.append([rec(4), rec(5)], 30, 3000);
    assert.equal(b.length, 6);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((s) => n(b.recordAt(s))), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(b.seqsOfRun(1, 6), [11, 12, 20, 30, 31]);
    assert.deepEqual(b.seqsOf([0, 3, 5]), [10, 20, 31]);
    assert.deepEqual([0, 2, 3, 4, 5].map((s) => b.acceptedAt(s)), [1000, 1000, 2000, 3000, 3000]);
    assert.deepEqual(b.recordsOfRun(1, 3).map(n), [1, 2], 'within one run');
    assert.deepEqual(b.recordsOfRun(2, 6).map(n), [2, 3, 4, 5], 'across runs');
  });

  test('in-order claims move the head; claiming everything empties the buffer', () => {
    const b = new RecordBuffer();
    b.append([rec(0), rec(1), rec(2)], 0, 0);
    b.claimRun(2);
    assert.equal(b.head, 2);
    assert.equal(b.takenAhead, false);
    b.claimRun(1);
    assert.equal(b.length, 0);
    assert.equal(b.head, 0);
    b.append([rec(7)], 3, 0);
    assert.equal(n(b.recordAt(0)), 7);
    assert.deepEqual(b.seqsOfRun(0, 1), [3]);
  });

  test('out-of-order claims are jumped over; drain returns the unclaimed records in order', () => {
    const b = new RecordBuffer();
    b.append([0, 1, 2, 3, 4, 5, 6].map((i) => rec(i)), 0, 0);
    b.claimSlots([1, 2, 4]);
    assert.equal(b.takenAhead, true);
    assert.equal(b.nextUntaken(1), 3);
    assert.equal(b.nextUntaken(4), 5);
    b.claimSlots([0]);
    assert.equal(b.head, 3, 'head passes the claimed slots 0..2');
    b.append([rec(7)], 7, 0);
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
          b.append(run, nextSeq, step);
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

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointTracker } from '../../src/batching/checkpoint-tracker.js';
import { createRng } from './prng.js';

describe('CheckpointTracker', () => {
  test('advances only over the contiguous finished prefix', () => {
    const t = new CheckpointTracker<string>(() => 10);
    const s = ['a', 'b', 'c', 'd', 'e'].map((x) => t.add(x));
    assert.deepEqual(s, [0, 1, 2, 3, 4]);
    t.finish(1);
    t.finish(3);
    assert.equal(t.advance(), undefined); // 0 unfinished
    t.finish(0);
    assert.deepEqual(t.advance(), { last: 'b', count: 2, weight: 20 });
    assert.equal(t.advance(), undefined);
    t.finish(2);
    t.finish(4);
    // Several prefixes finished at once: one result with the latest record.
    assert.deepEqual(t.advance(), { last: 'e', count: 3, weight: 30 });
    assert.equal(t.size, 0);
    assert.equal(t.nextSeq, 5);
  });

  test('finishing twice or an already-passed record changes nothing', () => {
    const t = new CheckpointTracker<number>();
    t.add(0);
    t.add(1);
    t.finish(0);
    t.finish(0);
    assert.deepEqual(t.advance(), { last: 0, count: 1, weight: 0 });
    t.finish(0);
    t.finish(7);
    assert.equal(t.advance(), undefined);
    assert.equal(t.size, 1);
  });

  test('random finish orders over many seeds: every advance ends at the highest contiguous finished record', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = createRng(seed);
      const t = new CheckpointTracker<number>(() => 1);
      const finished = new Set<number>();
      let next = 0;
      let checkpoint = -1;
      let counted = 0;
      for (let step = 0; step < 3000; step++) {
        if (rng.next() < 0.5) {
          const n = rng.int(20);
          for (let i = 0; i < n; i++) assert.equal(t.add(next), next++);
        } else if (next > 0) {
          const s = checkpoint + 1 + rng.int(Math.max(1, Math.min(40, next - checkpoint - 1)));
          if (s < next) {
            t.finish(s);
            finished.add(s);
          }
        }
        const a = t.advance();
        let expect = checkpoint;
        while (finished.has(expect + 1)) expect++;
        if (expect === checkpoint) assert.equal(a, undefined, `seed ${seed}`);
        else {
          assert.equal(a?.last, expect, `seed ${seed}`);
          assert.equal(a?.count, expect - checkpoint);
          counted += a?.count ?? 0;
          checkpoint = expect;
        }
      }
      assert.equal(counted, checkpoint + 1);
      assert.equal(t.size, next - checkpoint - 1);
    }
  });
});

describe('CheckpointTracker runs', () => {
  test('runs of many sizes, random finishes, across compactions: last, count and weight agree with a model', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = createRng(seed);
      const t = new CheckpointTracker<{ n: number; w: number }>((r) => r.w);
      const all: { n: number; w: number }[] = [];
      const finished = new Set<number>();
      let checkpoint = -1;
      for (let step = 0; step < 300; step++) {
        if (rng.next() < 0.4) {
          const run = Array.from({ length: 1 + rng.int(rng.next() < 0.2 ? 2500 : 50) }, () => ({ n: all.length, w: 1 + rng.int(9) }));
          const first = t.addRun(run);
          assert.equal(first, all.length, `seed ${seed}`);
          for (const r of run) all.push(r);
        } else if (all.length > checkpoint + 1) {
          // Finish a random stretch after the checkpoint (sometimes the records right after it).
          const from = rng.next() < 0.3 ? checkpoint + 1 : checkpoint + 1 + rng.int(all.length - checkpoint - 1);
          const to = Math.min(all.length, from + 1 + rng.int(400));
          const seqs: number[] = [];
          for (let s = from; s < to; s++) {
            seqs.push(s);
            finished.add(s);
          }
          t.finishAll(seqs);
        }
        const a = t.advance();
        let expect = checkpoint;
        while (finished.has(expect + 1)) expect++;
        if (expect === checkpoint) {
          assert.equal(a, undefined, `seed ${seed}`);
          continue;
        }
        let weight = 0;
        for (let s = checkpoint + 1; s <= expect; s++) weight += all[s]!.w;
        assert.deepEqual(a, { last: all[expect], count: expect - checkpoint, weight }, `seed ${seed} step ${step}`);
        checkpoint = expect;
        assert.equal(t.size, all.length - checkpoint - 1);
        assert.equal(t.nextSeq, all.length);
      }
    }
  });
});

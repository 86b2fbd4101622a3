import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import type { Advance } from '../../src/batching/checkpoint-tracker.js';
import { Checkpointer } from '../../src/pipeline/checkpointer.js';
import type { PolledRecord, ShardCommitter } from '../../src/sources/source.js';
import { rec } from '../batching/records.js';
import { n, settle } from './fakes.js';

const adv = (i: number, count = 1): Advance<PolledRecord> => ({ last: rec(i), count, weight: 10 * count });

describe('Checkpointer', () => {
  test('an offer arriving at any microtask after a write completes is written (no lost wake-up)', async () => {
    for (let depth = 0; depth < 8; depth++) {
      const written: number[] = [];
      let release!: () => void;
      const committer: ShardCommitter = {
        checkpoint: (last) =>
          new Promise<void>((r) => {
            written.push(n(last));
            release = r;
          }),
        complete: async () => {},
        release: async () => {},
      };
      const committed: number[] = [];
      const c = new Checkpointer({
        committer,
        clock: new ManualClock(),
        signal: new AbortController().signal,
        backoffMs: () => 100,
        onCommitted: (a) => committed.push(n(a.last)),
        onError: () => {},
      });
      c.offer(adv(1));
      release();
      for (let i = 0; i < depth; i++) await Promise.resolve();
      c.offer(adv(2));
      await settle();
      release();
      await c.idle();
      assert.deepEqual(written, [1, 2], `depth ${depth}`);
      assert.deepEqual(committed, [1, 2], `depth ${depth}`);
    }
  });

  test('prefixes offered during a write are coalesced into one write of the latest', async () => {
    const written: number[] = [];
    const gates: (() => void)[] = [];
    const committer: ShardCommitter = {
      checkpoint: (last) => new Promise<void>((r) => { written.push(n(last)); gates.push(r); }),
      complete: async () => {},
      release: async () => {},
    };
    const counts: number[] = [];
    const c = new Checkpointer({ committer, clock: new ManualClock(), signal: new AbortController().signal, backoffMs: () => 1, onCommitted: (a) => counts.push(a.count), onError: () => {} });
    c.offer(adv(1));
    c.offer(adv(2));
    c.offer(adv(3, 2));
    gates.shift()!();
    await settle();
    gates.shift()!();
    await c.idle();
    assert.deepEqual(written, [1, 3]);
    assert.deepEqual(counts, [1, 3]);
  });

  test('a failed write is retried after backoff, merged with newer prefixes; abort stops retrying', async () => {
    const clock = new ManualClock();
    let fail = 1;
    const written: number[] = [];
    const committer: ShardCommitter = {
      checkpoint: async (last) => {
        if (fail-- > 0) throw new Error('down');
        written.push(n(last));
      },
      complete: async () => {},
      release: async () => {},
    };
    const ac = new AbortController();
    const errors: number[] = [];
    const c = new Checkpointer({ committer, clock, signal: ac.signal, backoffMs: (a) => a * 100, onCommitted: () => {}, onError: (_e, a) => errors.push(a) });
    c.offer(adv(1));
    await settle();
    c.offer(adv(2));
    assert.deepEqual(written, []);
    clock.advance(100);
    await c.idle();
    assert.deepEqual(written, [2]);
    assert.deepEqual(errors, [1]);
    fail = 5;
    c.offer(adv(3));
    await settle();
    ac.abort();
    await c.idle();
    assert.deepEqual(written, [2]);
  });
});

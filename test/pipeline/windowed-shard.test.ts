import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolledRecord } from '../../src/sources/source.js';
import { rec } from '../batching/records.js';
import { fnError, ok, settle } from './fakes.js';
import { harness } from './harness.js';
import { ARN, at, iso, W0, W1, windowed, WindowCommitter, type WindowEvent } from './windowed-harness.js';

describe('shard pipeline, tumbling windows', () => {

  test('the event carries the window fields exactly as AWS; state starts at {} and is carried', async () => {
    const h = windowed();
    await h.pipeline.push(at([0, 1, 2], W0 + 20_000));
    const e = h.pendingEv();
    assert.deepEqual(e, {
      Records: [0, 1, 2].map((i) => ({ n: i, key: 'k', data: '' })),
      window: { start: iso(W0), end: iso(W1) },
      state: {},
      shardId: 'shard-0',
      eventSourceARN: ARN,
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    });
    assert.equal(e.window.start, '2023-11-14T22:13:00.000Z');
    assert.equal(h.runtime.pending[0]!.opts.payloadBytes, Buffer.byteLength(JSON.stringify(e)));
    h.runtime.answer(ok({ state: { sum: 3 }, batchItemFailures: [] }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [2]);
    assert.deepEqual(h.committer.lastState(), { sum: 3 });
    await h.pipeline.push(at([3, 4], W0 + 30_000));
    assert.deepEqual(h.pendingEv().state, { sum: 3 });
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [3, 4]);
    assert.equal(h.runtime.pending[0]!.opts.payloadBytes, Buffer.byteLength(JSON.stringify(h.pendingEv())));
    h.runtime.answer(ok(JSON.stringify({ state: { sum: 10 } })));
    await settle();
    assert.deepEqual(h.committer.lastState(), { sum: 10 });
    assert.equal(h.runtime.calls.length, 2);
  });

  test('payloadBytes is the exact UTF-8 size of the event with a carried multi-byte state', async () => {
    const h = windowed();
    await h.pipeline.push(at([0], W0 + 1000));
    h.runtime.answer(ok({ state: { name: 'é€😀', list: [1, 'ü'] } }));
    await settle();
    await h.pipeline.push(at([1], W0 + 2000));
    const e = h.pendingEv();
    assert.deepEqual(e.state, { name: 'é€😀', list: [1, 'ü'] });
    assert.equal(h.runtime.pending[0]!.opts.payloadBytes, Buffer.byteLength(JSON.stringify(e)));
  });

  test('parallelization is one batch at a time per shard in windowed mode', async () => {
    const h = windowed({ ParallelizationFactor: 4, BatchSize: 2 });
    await h.pipeline.push([rec(0, 'a', { arrivalMs: W0 + 1 }), rec(1, 'a', { arrivalMs: W0 + 1 }), rec(2, 'b', { arrivalMs: W0 + 1 })]);
    h.pipeline.setMaxInFlight(4);
    await settle();
    assert.equal(h.runtime.pending.length, 1);
    assert.equal(h.pipeline.inFlight, 1);
  });

  test('a response without state is a failure: retried after backoff with the same state', async () => {
    const h = windowed();
    await h.pipeline.push(at([0, 1], W0 + 1000));
    h.runtime.answer(ok({ batchItemFailures: [] }));
    await settle();
    assert.equal(h.committer.checkpoints.length, 0);
    assert.equal(h.runtime.pending.length, 0);
    assert.deepEqual(h.seen.invoked.map((i) => i.ok), [true]);
    h.clock.advance(1000);
    await settle();
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [0, 1]);
    assert.deepEqual(h.pendingEv().state, {});
    h.runtime.answer(fnError());
    await settle();
    h.clock.advance(1000);
    await settle();
    assert.deepEqual(h.pendingEv().state, {});
    h.runtime.answer(ok({ state: { seen: 2 } }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [1]);
    assert.deepEqual(h.committer.lastState(), { seen: 2 });
  });

  test('final invoke when the window end passes (no records), then a new window starts at {}', async () => {
    const h = windowed();
    await h.pipeline.push(at([0], W0 + 1000));
    h.runtime.answer(ok({ state: { a: 1 } }));
    await settle();
    h.clock.advance(W1 - h.clock.now() - 1);
    await settle();
    assert.equal(h.runtime.pending.length, 0);
    h.clock.advance(1);
    await settle();
    assert.deepEqual(h.pendingEv(), {
      Records: [],
      window: { start: iso(W0), end: iso(W1) },
      state: { a: 1 },
      shardId: 'shard-0',
      eventSourceARN: ARN,
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    });
    h.runtime.answer(ok({ state: { a: 1 } }));
    await settle();
    await h.pipeline.push(at([1], W1 + 5));
    assert.deepEqual(h.pendingEv().window, { start: iso(W1), end: iso(W1 + 60_000) });
    assert.deepEqual(h.pendingEv().state, {});
    assert.equal(h.pendingEv().isFinalInvokeForWindow, false);
    h.runtime.answer(ok({ state: { b: 1 } }));
    await settle();
    assert.equal(h.runtime.calls.length, 3);
    const persisted = JSON.parse(h.committer.checkpoints.at(-1)!.windowState!) as { window: { startMs: number } };
    assert.equal(persisted.window.startMs, W1);
  });

  test('at the window end, records of the window still buffered are invoked before the final invoke', async () => {
    const h = windowed({ BatchSize: 2 });
    await h.pipeline.push(at([0, 1, 2, 3], W0 + 1));
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [0, 1]);
    h.clock.advance(W1 - h.clock.now());
    await settle();
    h.runtime.answer(ok({ state: { c: 2 } }));
    await settle();
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [2, 3]);
    assert.deepEqual(h.pendingEv().state, { c: 2 });
    assert.equal(h.pendingEv().isFinalInvokeForWindow, false);
    h.runtime.answer(ok({ state: { c: 4 } }));
    await settle();
    h.clock.advance(0);
    await settle();
    assert.equal(h.pendingEv().isFinalInvokeForWindow, true);
    assert.deepEqual(h.pendingEv().state, { c: 4 });
    h.runtime.answer(ok({ state: {} }));
    await settle();
    assert.equal(h.runtime.calls.length, 3);
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [1, 3]);
  });

  test('records of the next window are not mixed into the previous window; final invoke in between', async () => {
    const h = windowed();
    await h.pipeline.push([...at([0, 1], W0 + 59_000), ...at([2, 3], W1 + 1)]);
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [0, 1]);
    assert.equal(h.pendingEv().window.start, iso(W0));
    h.runtime.answer(ok({ state: { w: 0 } }));
    await settle();
    assert.deepEqual(h.pendingEv().Records, []);
    assert.equal(h.pendingEv().isFinalInvokeForWindow, true);
    assert.deepEqual(h.pendingEv().state, { w: 0 });
    assert.equal(h.pendingEv().window.start, iso(W0));
    h.runtime.answer(ok({ state: {} }));
    await settle();
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [2, 3]);
    assert.equal(h.pendingEv().window.start, iso(W1));
    assert.deepEqual(h.pendingEv().state, {});
    h.runtime.answer(ok({ state: { w: 1 } }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [1, 3]);
    assert.deepEqual(h.committer.lastState(), { w: 1 });
  });

  test('a failing final invoke is retried; MaximumRetryAttempts ends it', async () => {
    const h = windowed({ MaximumRetryAttempts: 1 });
    await h.pipeline.push(at([0], W0 + 1));
    h.runtime.answer(ok({ state: {} }));
    await settle();
    h.clock.advance(W1 - h.clock.now());
    await settle();
    h.runtime.answer(ok({}));
    await settle();
    h.clock.advance(1000);
    await settle();
    assert.equal(h.pendingEv().isFinalInvokeForWindow, true);
    h.runtime.answer(fnError());
    await settle();
    h.clock.advance(10_000);
    await settle();
    assert.equal(h.runtime.pending.length, 0);
    assert.equal(h.runtime.calls.length, 3);
  });

  test('shard end: drain closes the window with a final invoke; a plain drain does not', async () => {
    const h = windowed();
    await h.pipeline.push(at([0, 1], W0 + 1));
    h.runtime.answer(ok({ state: { k: 'v' } }));
    await settle();
    const closed = h.pipeline.close({ mode: 'drain', shardEnded: true });
    await settle();
    assert.equal(h.pendingEv().isFinalInvokeForWindow, true);
    assert.deepEqual(h.pendingEv().state, { k: 'v' });
    assert.deepEqual(h.pendingEv().Records, []);
    h.runtime.answer(ok({ state: {} }));
    await closed;
    assert.equal(h.runtime.calls.length, 2);
    assert.equal(h.clock.pendingTimers, 0);

    const g = windowed();
    await g.pipeline.push(at([0], W0 + 1));
    g.runtime.answer(ok({ state: {} }));
    await settle();
    await g.pipeline.close({ mode: 'drain' });
    assert.equal(g.runtime.calls.length, 1);
    assert.equal(g.clock.pendingTimers, 0);
  });

  test('batches keep room for the window fields (a 1 MB state) under the 6 MB payload cap', async () => {
    const big = (a: number, b: number): PolledRecord[] =>
      Array.from({ length: b - a }, (_, i) => rec(a + i, 'k', { bytes: 1_000_000, arrivalMs: W0 + 1 }));
    const h = windowed({ BatchSize: 100 });
    await h.pipeline.push(big(0, 8));
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [0, 1, 2, 3, 4]);
    const plain = windowed({ BatchSize: 100, TumblingWindowInSeconds: 0 });
    await plain.pipeline.push(big(0, 8));
    assert.deepEqual(plain.runtime.pending[0]!.ns, [0, 1, 2, 3, 4, 5]);
  });

  test('DynamoDB Streams: same fields, eventSourceARN is the stream ARN', async () => {
    const streamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000';
    const committer = new WindowCommitter();
    const h = harness('dynamodb', { TumblingWindowInSeconds: 30, EventSourceArn: streamArn }, { committer });
    await h.pipeline.push(at([0], W0 + 1));
    const e = h.runtime.pending[0]!.event as unknown as WindowEvent;
    assert.equal(e.eventSourceARN, streamArn);
    assert.deepEqual(e.window, { start: iso(W0), end: iso(W0 + 30_000) });
    assert.deepEqual(e.state, {});
  });

  test('abandon with an invoke in flight and a window open: resolves, no timer left, no final invoke', async () => {
    const h = windowed();
    await h.pipeline.push(at([0, 1], W0 + 1));
    assert.equal(h.runtime.pending.length, 1);
    const closed = h.pipeline.close({ mode: 'abandon' });
    h.runtime.answer(ok({ state: { z: 1 } }));
    await closed;
    assert.equal(h.clock.pendingTimers, 0);
    h.clock.advance(120_000);
    await settle();
    assert.equal(h.runtime.calls.length, 1);
  });

  test('without TumblingWindowInSeconds the event has no window fields', async () => {
    const h = windowed({ TumblingWindowInSeconds: 0 });
    await h.pipeline.push(at([0], W0 + 1));
    assert.deepEqual(Object.keys(h.pendingEv()), ['Records']);
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [{ n: 0, windowState: undefined }]);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError } from '../../src/core/errors.js';
import { rec } from '../batching/records.js';
import { fnError, ok, settle } from './fakes.js';
import { harness } from './harness.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const recs = (a: number, b: number, key = (i: number) => `m${i}`) => range(a, b).map((i) => rec(i, key(i)));

describe('shard pipeline, queue (SQS/MQ)', () => {
  test('success completes (deletes) the batch; failure releases it, never retried in place', async () => {
    const h = harness('sqs', { BatchSize: 3 });
    await h.pipeline.push(recs(0, 6));
    assert.equal(h.runtime.pending.length, 2); // SQS starts with 5 batches in flight
    h.runtime.answer(ok());
    h.runtime.answer(fnError());
    await settle();
    assert.deepEqual(h.committer.completed, [[0, 1, 2]]);
    assert.deepEqual(h.committer.released, [[3, 4, 5]]);
    assert.equal(h.runtime.calls.length, 2);
    assert.deepEqual(h.seen.deleted.map((e) => e.count), [3]);
    assert.equal(h.pipeline.pending, 0);
  });

  test('ReportBatchItemFailures deletes everything but the listed messages', async () => {
    const h = harness('sqs', { BatchSize: 4, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await h.pipeline.push(recs(0, 4));
    h.runtime.answer(ok({ batchItemFailures: [{ itemIdentifier: '00000002' }] }));
    await settle();
    assert.deepEqual(h.committer.completed, [[0, 1, 3]]);
    assert.deepEqual(h.committer.released, [[2]]);
  });

  test('FIFO: records of one MessageGroupId are never in two in-flight batches and go in order', async () => {
    const h = harness('sqs', { BatchSize: 2, fifo: true });
    await h.pipeline.push(recs(0, 6, (i) => (i < 4 ? 'g1' : 'g2')));
    assert.deepEqual(h.runtime.pending.map((c) => c.ns), [[0, 1], [4, 5]]);
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.runtime.pending.map((c) => c.ns), [[4, 5], [2, 3]]);
  });

  test('setMaxInFlight changes the number of concurrent batches', async () => {
    const h = harness('sqs', { BatchSize: 1 });
    h.pipeline.setMaxInFlight(2);
    await h.pipeline.push(recs(0, 5));
    assert.equal(h.runtime.pending.length, 2);
    h.pipeline.setMaxInFlight(4);
    assert.equal(h.runtime.pending.length, 4);
  });

  test('a message over the 6 MB cap is released (never invoked) and the queue keeps flowing', async () => {
    const h = harness('activemq', { BatchSize: 10, batchingWindowMs: 0 });
    await h.pipeline.push([rec(0, 'm0', { bytes: 7 * 1024 * 1024 }), rec(1, 'm1')]);
    await settle();
    assert.deepEqual(h.committer.released, [[0]]);
    assert.deepEqual(h.runtime.pending[0]!.ns, [1]);
  });

  test('filtered-out messages are deleted without an invoke', async () => {
    const h = harness('sqs', { BatchSize: 10 }, { accept: (r) => r.partitionKey !== 'm1' });
    await h.pipeline.push(recs(0, 3));
    await settle();
    assert.deepEqual(h.committer.completed, [[1]]);
    assert.deepEqual(h.runtime.pending[0]!.ns, [0, 2]);
  });
});

describe('shard pipeline backpressure and close', () => {
  test('push waits while the shard holds its limit of unfinished records, and resumes when they finish', async () => {
    const h = harness('kinesis', { BatchSize: 5 }, { options: { maxPendingRecords: 10, invokeBackoffMs: () => 1000 } });
    await h.pipeline.push(recs(0, 10));
    let accepted = false;
    const p = h.pipeline.push(recs(10, 12)).then(() => (accepted = true));
    await settle();
    assert.equal(accepted, false);
    assert.equal(h.pipeline.pending, 10);
    h.runtime.answer(ok());
    await settle();
    assert.equal(accepted, true);
    await p;
    assert.equal(h.pipeline.pending, 7);
  });

  test('push waits on the byte limit too, and rejects when its signal aborts', async () => {
    const h = harness('kinesis', { BatchSize: 5 }, { options: { maxPendingBytes: 100 } });
    await h.pipeline.push([rec(0, 'k', { bytes: 150 })]);
    const ac = new AbortController();
    const p = h.pipeline.push([rec(1)], ac.signal);
    ac.abort();
    await assert.rejects(p, AbortedError);
    assert.equal(h.pipeline.pending, 1);
  });

  test('close(drain) sends buffered records at once (ignoring the window) and resolves when all are finished', async () => {
    const h = harness('kinesis', { BatchSize: 100, batchingWindowMs: 60_000, MaximumBatchingWindowInSeconds: 60 });
    await h.pipeline.push(recs(0, 3));
    assert.equal(h.runtime.pending.length, 0); // waiting for the window
    let closed = false;
    const c = h.pipeline.close({ mode: 'drain' }).then(() => (closed = true));
    await settle();
    assert.deepEqual(h.runtime.pending[0]!.ns, [0, 1, 2]);
    assert.equal(closed, false);
    await assert.rejects(h.pipeline.push(recs(3, 4)), AbortedError);
    h.runtime.answer(ok());
    await c;
    assert.deepEqual(h.committer.checkpoints, [2]);
    assert.equal(h.pipeline.close({ mode: 'abandon' }), h.pipeline.close({ mode: 'drain' }));
    assert.equal(h.clock.pendingTimers, 0);
  });

  test('close(drain) falls back to abandon when its deadline passes', async () => {
    const h = harness('kinesis', { BatchSize: 2 });
    await h.pipeline.push(recs(0, 4));
    const ac = new AbortController();
    const c = h.pipeline.close({ mode: 'drain', signal: ac.signal });
    await settle();
    ac.abort();
    await settle();
    // The in-flight invoke got the abort through its signal.
    assert.equal(h.runtime.pending[0]!.opts.signal.aborted, true);
    h.runtime.answer(fnError());
    await c;
    assert.deepEqual(h.committer.checkpoints, []);
    assert.equal(h.runtime.calls.length, 1);
    assert.equal(h.pipeline.pending, 0);
  });

  test('close(abandon), ordered: in-flight invoke finishes and is checkpointed; buffered records are not invoked', async () => {
    const h = harness('kinesis', { BatchSize: 2 });
    await h.pipeline.push(recs(0, 6));
    const c = h.pipeline.close({ mode: 'abandon' });
    await settle();
    assert.equal(h.runtime.pending[0]!.opts.signal.aborted, false);
    h.runtime.answer(ok());
    await c;
    assert.deepEqual(h.committer.checkpoints, [1]);
    assert.equal(h.runtime.calls.length, 1);
    assert.equal(h.pipeline.pending, 0);
    await h.pipeline.drained();
  });

  test('close(abandon), ordered: a failed in-flight batch is not retried', async () => {
    const h = harness('kinesis', { BatchSize: 2 });
    await h.pipeline.push(recs(0, 2));
    const c = h.pipeline.close({ mode: 'abandon' });
    h.runtime.answer(fnError());
    await c;
    h.clock.advance(60_000);
    await settle();
    assert.equal(h.runtime.calls.length, 1);
    assert.deepEqual(h.committer.checkpoints, []);
  });

  test('close(abandon), queue: buffered messages are released, in-flight ones settle normally', async () => {
    const h = harness('sqs', { BatchSize: 2 }, { options: { maxInFlight: 1 } });
    await h.pipeline.push(recs(0, 5));
    const c = h.pipeline.close({ mode: 'abandon' });
    await settle();
    assert.deepEqual(h.committer.released, [[2, 3, 4]]);
    h.runtime.answer(ok());
    await c;
    assert.deepEqual(h.committer.completed, [[0, 1]]);
    assert.equal(h.runtime.calls.length, 1);
  });

  test('pause stops new batches; resume restarts them', async () => {
    const h = harness('kinesis', { BatchSize: 2 });
    h.pipeline.pause();
    await h.pipeline.push(recs(0, 2));
    await settle();
    assert.equal(h.runtime.calls.length, 0);
    h.pipeline.resume();
    assert.equal(h.runtime.calls.length, 1);
  });

  test('the batching window fires from the clock timer (no polling)', async () => {
    const h = harness('kinesis', { BatchSize: 100, batchingWindowMs: 1000, MaximumBatchingWindowInSeconds: 1 });
    await h.pipeline.push(recs(0, 2));
    h.clock.advance(999);
    assert.equal(h.runtime.calls.length, 0);
    h.clock.advance(1);
    assert.deepEqual(h.runtime.calls[0]!.ns, [0, 1]);
    h.runtime.answer(ok());
    await settle();
    // next window starts when the invoke completed
    await h.pipeline.push(recs(2, 3));
    h.clock.advance(999);
    assert.equal(h.runtime.calls.length, 1);
    h.clock.advance(1);
    assert.equal(h.runtime.calls.length, 2);
  });
});

describe('shard pipeline close escalation', () => {
  test('close(abandon) while a drain without deadline waits ends the drain; both calls get the same promise', async () => {
    const h = harness('kinesis', { BatchSize: 2 });
    await h.pipeline.push(recs(0, 4));
    const drain = h.pipeline.close({ mode: 'drain' });
    await settle();
    h.runtime.answer(fnError()); // the batch now backs off and would retry forever
    await settle();
    const abandon = h.pipeline.close({ mode: 'abandon' });
    assert.equal(abandon, drain);
    await drain;
    assert.deepEqual(h.committer.checkpoints, []);
    assert.equal(h.runtime.calls.length, 1);
    assert.equal(h.pipeline.pending, 0);
  });
});

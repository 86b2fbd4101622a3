import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolledRecord, ShardCommitter } from '../../src/sources/source.js';
import type { ShardPipelineDeps } from '../../src/pipeline/shard-pipeline.js';
import { MAX_WINDOW_STATE_BYTES } from '../../src/failure/tumbling-window.js';
import { rec } from '../batching/records.js';
import { n, ok, fnError, settle } from './fakes.js';
import { harness } from './harness.js';

/** ManualClock starts at 1_700_000_000_000; with 60 s windows that lies in [W0, W0 + 60 s). */
const W0 = 1_699_999_980_000;
const W1 = W0 + 60_000;
const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
const iso = (ms: number): string => new Date(ms).toISOString();

class WindowCommitter implements ShardCommitter {
  readonly checkpoints: { n: number; windowState: string | null | undefined }[] = [];
  async checkpoint(last: PolledRecord, extra?: { windowState?: string | null }): Promise<void> {
    this.checkpoints.push({ n: n(last), windowState: extra?.windowState });
  }
  async complete(): Promise<void> {}
  async release(): Promise<void> {}
  /** The state object persisted with the last checkpoint. */
  lastState(): unknown {
    const ws = this.checkpoints.at(-1)?.windowState;
    return ws ? (JSON.parse(ws) as { state: unknown }).state : ws;
  }
}

interface WindowEvent {
  Records: { n: number }[];
  window: { start: string; end: string };
  state: Record<string, unknown>;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

function windowed(over: Record<string, unknown> = {}, deps: Partial<ShardPipelineDeps> = {}) {
  const committer = new WindowCommitter();
  const h = harness('kinesis', { TumblingWindowInSeconds: 60, EventSourceArn: ARN, ...over }, { committer, ...deps });
  const ev = (i: number): WindowEvent => h.runtime.calls[i]!.event as unknown as WindowEvent;
  const pendingEv = (): WindowEvent => h.runtime.pending[0]!.event as unknown as WindowEvent;
  return { ...h, committer, ev, pendingEv };
}

const at = (ns: number[], arrivalMs: number): PolledRecord[] => ns.map((i) => rec(i, 'k', { arrivalMs }));

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
    h.runtime.answer(ok(JSON.stringify({ state: { sum: 10 } })));
    await settle();
    assert.deepEqual(h.committer.lastState(), { sum: 10 });
    assert.equal(h.runtime.calls.length, 2);
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

  test('a state over 1 MB ends the window early; the rest of the interval starts over at {}', async () => {
    const h = windowed({ BatchSize: 2 });
    await h.pipeline.push(at([0, 1, 2, 3], W0 + 1));
    const big = { blob: 'x'.repeat(MAX_WINDOW_STATE_BYTES) };
    h.runtime.answer(ok({ state: big }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [1]);
    const fin = h.pendingEv();
    assert.equal(fin.isFinalInvokeForWindow, true);
    assert.equal(fin.isWindowTerminatedEarly, true);
    assert.deepEqual(fin.Records, []);
    assert.equal((fin.state as { blob: string }).blob.length, MAX_WINDOW_STATE_BYTES);
    h.runtime.answer(ok({ state: {} }));
    await settle();
    const next = h.pendingEv();
    assert.deepEqual(next.Records.map((r) => r.n), [2, 3]);
    assert.deepEqual(next.state, {});
    assert.equal(next.isWindowTerminatedEarly, false);
    assert.deepEqual(next.window, { start: iso(W0), end: iso(W1) });
    h.runtime.answer(ok({ state: { after: true } }));
    await settle();
    assert.deepEqual(h.committer.lastState(), { after: true });
  });

  test('window state is persisted with the checkpoint and restored by a new pipeline', async () => {
    const h = windowed();
    await h.pipeline.push(at([0, 1], W0 + 1));
    h.runtime.answer(ok({ state: { total: 7 } }));
    await settle();
    await h.pipeline.close({ mode: 'drain' });
    const stored = h.committer.checkpoints.at(-1)!.windowState!;
    assert.equal(typeof stored, 'string');

    const r = windowed({}, { initialWindowState: async () => stored });
    await settle();
    await r.pipeline.push(at([2], W0 + 2));
    await settle();
    assert.deepEqual(r.pendingEv().state, { total: 7 });
    assert.deepEqual(r.pendingEv().window, { start: iso(W0), end: iso(W1) });
    r.runtime.answer(ok({ state: { total: 9 } }));
    await settle();
    assert.deepEqual(r.committer.lastState(), { total: 9 });
  });

  test('a restored window whose end has passed gets its final invoke at once', async () => {
    const stored = JSON.stringify({ window: { startMs: W0 - 60_000, endMs: W0 }, state: { old: 1 }, stateBytes: 9, invokes: 3 });
    const r = windowed({}, { initialWindowState: () => stored });
    await settle();
    r.clock.advance(0);
    await settle();
    assert.equal(r.runtime.pending.length, 1);
    assert.deepEqual(r.pendingEv().state, { old: 1 });
    assert.equal(r.pendingEv().isFinalInvokeForWindow, true);
    assert.equal(r.pendingEv().window.end, iso(W0));
    r.runtime.answer(ok({ state: {} }));
    await settle();
    await r.pipeline.push(at([5], W0 + 1));
    assert.deepEqual(r.pendingEv().state, {});
    r.runtime.answer(ok({ state: { x: 1 } }));
    await settle();
    const persisted = JSON.parse(r.committer.checkpoints.at(-1)!.windowState!) as { window: { startMs: number } };
    assert.equal(persisted.window.startMs, W0);
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

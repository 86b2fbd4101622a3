import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WINDOW_STATE_BYTES } from '../../src/failure/tumbling-window.js';
import { n, ok, settle } from './fakes.js';
import { at, iso, W0, W1, windowed } from './windowed-harness.js';
describe('shard pipeline, tumbling window state', () => {

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

  test('a filtered record at the end of the prefix is checkpointed with the window state', async () => {
    const h = windowed({}, { accept: (r) => n(r) !== 2 });
    await h.pipeline.push(at([0, 1, 2], W0 + 1));
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [0, 1]);
    h.runtime.answer(ok({ state: { f: 1 } }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [2]);
    assert.deepEqual(h.committer.lastState(), { f: 1 });
  });
  test('ReportBatchItemFailures with state: finished prefix checkpointed with it, the rest retried with it', async () => {
    const h = windowed({ FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await h.pipeline.push(at([0, 1, 2], W0 + 1));
    h.runtime.answer(ok({ state: { s: 1 }, batchItemFailures: [{ itemIdentifier: '00000001' }] }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [0]);
    assert.deepEqual(h.committer.lastState(), { s: 1 });
    h.clock.advance(1000);
    await settle();
    assert.deepEqual(h.pendingEv().Records.map((r) => r.n), [1, 2]);
    assert.deepEqual(h.pendingEv().state, { s: 1 });
    h.runtime.answer(ok({ state: { s: 2 }, batchItemFailures: [] }));
    await settle();
    assert.deepEqual(h.committer.checkpoints.map((c) => c.n), [0, 2]);
    assert.deepEqual(h.committer.lastState(), { s: 2 });
  });
});

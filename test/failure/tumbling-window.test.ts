import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyWindowResponse,
  deserializeWindowState,
  finalInvokeFlags,
  MAX_WINDOW_STATE_BYTES,
  openWindow,
  parseWindowResponse,
  segmentByWindow,
  serializeWindowState,
  windowBounds,
  windowCloseReason,
  windowEventFields,
} from '../../src/failure/tumbling-window.js';

const T = Date.UTC(2026, 10, 21, 19, 0, 0, 0);

describe('tumbling window boundaries', () => {
  const cases: [number, number, number, number][] = [
    // arrival offset ms, window s, expected start offset, expected end offset
    [0, 60, 0, 60_000],
    [59_999, 60, 0, 60_000],
    [60_000, 60, 60_000, 120_000],
    [1, 1, 0, 1000],
    [1_500, 1, 1000, 2000],
    [899_999, 900, 0, 900_000],
    [900_000, 900, 900_000, 1_800_000],
    [123_456, 30, 120_000, 150_000],
  ];
  for (const [off, w, s, e] of cases) {
    test(`arrival +${off} ms, W=${w}s → [+${s}, +${e})`, () => {
      assert.deepEqual(windowBounds(T + off, w), { startMs: T + s, endMs: T + e });
    });
  }
  test('windows are aligned on the epoch, not on the first record', () => {
    const b = windowBounds(Date.UTC(2026, 0, 1, 0, 7, 13), 300);
    assert.equal(new Date(b.startMs).toISOString(), '2026-01-01T00:05:00.000Z');
    assert.equal(new Date(b.endMs).toISOString(), '2026-01-01T00:10:00.000Z');
  });
  test('W outside 1..900 is refused', () => {
    assert.throws(() => windowBounds(T, 0), RangeError);
    assert.throws(() => windowBounds(T, 901), RangeError);
  });
});

describe('segmentByWindow', () => {
  const recs = (offsets: number[]): { arrivalMs: number }[] => offsets.map((o) => ({ arrivalMs: T + o }));
  test('consecutive records of one window form one segment', () => {
    assert.deepEqual(segmentByWindow(recs([0, 10, 59_999]), 60), [{ start: 0, end: 3, window: { startMs: T, endMs: T + 60_000 } }]);
  });
  test('a batch spanning three windows', () => {
    const segs = segmentByWindow(recs([0, 30_000, 60_000, 61_000, 185_000]), 60);
    assert.deepEqual(segs.map((s) => [s.start, s.end, s.window.startMs - T]), [[0, 2, 0], [2, 4, 60_000], [4, 5, 180_000]]);
  });
  test('a late record (clock skew) joins the open window', () => {
    const open = { startMs: T + 60_000, endMs: T + 120_000 };
    const segs = segmentByWindow(recs([59_000, 61_000, 50_000]), 60, open);
    assert.deepEqual(segs, [{ start: 0, end: 3, window: open }]);
  });
  test('windows never go backwards inside a batch', () => {
    const segs = segmentByWindow(recs([61_000, 59_000, 121_000]), 60);
    assert.deepEqual(segs.map((s) => [s.start, s.end, s.window.startMs - T]), [[0, 2, 60_000], [2, 3, 120_000]]);
  });
  test('empty batch', () => assert.deepEqual(segmentByWindow([], 60), []));
});

describe('window event fields and responses', () => {
  const ws = openWindow({ startMs: T, endMs: T + 60_000 });
  test('first invoke: state {} and the AWS field set', () => {
    assert.deepEqual(windowEventFields(ws, { shardId: 'shardId-000000000000', eventSourceARN: 'arn:aws:kinesis:us-east-1:1:stream/s' }, { isFinalInvokeForWindow: false, isWindowTerminatedEarly: false }), {
      window: { start: '2026-11-21T19:00:00.000Z', end: '2026-11-21T19:01:00.000Z' },
      state: {},
      shardId: 'shardId-000000000000',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:1:stream/s',
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    });
  });
  test('response must carry an object state', () => {
    assert.equal(parseWindowResponse({ state: { n: 1 }, batchItemFailures: [] }).kind, 'ok');
    assert.equal(parseWindowResponse('{"state":{}}').kind, 'ok');
    for (const bad of [null, undefined, {}, { batchItemFailures: [] }, { state: null }, { state: 3 }, { state: [1] }, 'nope', [], 5]) {
      assert.equal(parseWindowResponse(bad).kind, 'failure', JSON.stringify(bad));
    }
  });
  test('state is threaded to the next invoke', () => {
    const r = parseWindowResponse({ state: { total: 42 } });
    assert.ok(r.kind === 'ok');
    const next = applyWindowResponse(ws, r);
    assert.deepEqual(next.state, { total: 42 });
    assert.equal(next.invokes, 1);
    assert.equal(next.stateBytes, 12);
    assert.deepEqual(windowEventFields(next, { shardId: 's', eventSourceARN: 'a' }, { isFinalInvokeForWindow: false, isWindowTerminatedEarly: false }).state, { total: 42 });
  });
  test('state over 1 MB ends the window early', () => {
    const exact = parseWindowResponse({ state: { s: 'x'.repeat(MAX_WINDOW_STATE_BYTES - 8) } });
    assert.ok(exact.kind === 'ok' && exact.stateBytes === MAX_WINDOW_STATE_BYTES && !exact.overCap);
    const big = parseWindowResponse({ state: { s: 'x'.repeat(MAX_WINDOW_STATE_BYTES - 7) } });
    assert.ok(big.kind === 'ok' && big.overCap);
    const after = applyWindowResponse(ws, big);
    const reason = windowCloseReason(after, { nowMs: T });
    assert.equal(reason, 'state-over-cap');
    assert.deepEqual(finalInvokeFlags(reason), { isFinalInvokeForWindow: true, isWindowTerminatedEarly: true });
  });
  test('close reasons', () => {
    assert.equal(windowCloseReason(ws, { nowMs: T + 59_999 }), undefined);
    assert.equal(windowCloseReason(ws, { nowMs: T + 60_000 }), 'window-ended');
    assert.equal(windowCloseReason(ws, { nowMs: T, nextArrivalMs: T + 60_000 }), 'window-ended');
    assert.equal(windowCloseReason(ws, { nowMs: T, nextArrivalMs: T + 59_000 }), undefined);
    assert.equal(windowCloseReason(ws, { nowMs: T, shardEnded: true }), 'shard-ended');
    assert.deepEqual(finalInvokeFlags('shard-ended'), { isFinalInvokeForWindow: true, isWindowTerminatedEarly: false });
    assert.deepEqual(finalInvokeFlags('window-ended'), { isFinalInvokeForWindow: true, isWindowTerminatedEarly: false });
  });
  test('window state round-trips through persistence', () => {
    const r = parseWindowResponse({ state: { k: ['a', 1, null] } });
    assert.ok(r.kind === 'ok');
    const s = applyWindowResponse(ws, r);
    assert.deepEqual(deserializeWindowState(serializeWindowState(s)), s);
    for (const bad of ['', 'null', '{}', '{"window":{"startMs":1,"endMs":1},"state":{},"stateBytes":2,"invokes":0}', '{"window":{"startMs":1,"endMs":2},"state":[],"stateBytes":2,"invokes":0}']) {
      assert.equal(deserializeWindowState(bad), undefined, bad);
    }
  });
});

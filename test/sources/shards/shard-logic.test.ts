/** Pure shard logic: lineage gating, starting positions, poll pacing, the checkpointer. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.js';
import { mappingUuid, recordId, shardId, type ShardId } from '../../../src/core/ids.js';
import { buildLineage, isClosedWithChildren, readyShards } from '../../../src/sources/shards/lineage.js';
import { PollPacer } from '../../../src/sources/shards/poll-pacer.js';
import { ShardCheckpointer } from '../../../src/sources/shards/shard-checkpointer.js';
import { chooseStart, type StartInput } from '../../../src/sources/shards/start-position.js';
import type { ShardDescription } from '../../../src/sources/shards/stream-api.js';
import type { PolledRecord } from '../../../src/sources/source.js';
import { MemoryCheckpoints } from '../../support/fake-source-context.js';

const s = (id: string, parent?: string, adjacent?: string, ended = false): ShardDescription => ({
  shardId: shardId(id),
  ...(parent ? { parentShardId: shardId(parent) } : {}),
  ...(adjacent ? { adjacentParentShardId: shardId(adjacent) } : {}),
  hasEndingSequence: ended,
});

describe('lineage', () => {
  // 0 split into 1 and 2, then 1 and 2 merged into 3; 9 is an unrelated open shard.
  const l = buildLineage([s('0', undefined, undefined, true), s('1', '0', undefined, true), s('2', '0', undefined, true), s('3', '1', '2'), s('9')]);
  const ready = (done: string[], running: string[] = []): string[] =>
    readyShards(l, { isDone: (id) => done.includes(id), isRunning: (id) => running.includes(id) });

  test('roots first; children only after every parent is done', () => {
    assert.deepEqual(ready([]), ['0', '9']);
    assert.deepEqual(ready([], ['0', '9']), []);
    assert.deepEqual(ready(['0']), ['1', '2', '9']);
    assert.deepEqual(ready(['0', '1']), ['2', '9'], 'merge waits for the adjacent parent too');
    assert.deepEqual(ready(['0', '1', '2', '9']), ['3']);
  });
  test('a parent that is no longer listed does not block its child', () => {
    const trimmed = buildLineage([s('1', '0'), s('2', '0')]);
    assert.deepEqual(readyShards(trimmed, { isDone: () => false, isRunning: () => false }), ['1', '2']);
  });
  test('closed only with an ending sequence number and a listed child', () => {
    assert.equal(isClosedWithChildren(l, shardId('0')), true);
    assert.equal(isClosedWithChildren(l, shardId('3')), false);
    assert.equal(isClosedWithChildren(buildLineage([s('x', undefined, undefined, true)]), shardId('x')), false);
  });
});

describe('starting position', () => {
  const base: StartInput = { mode: 'TRIM_HORIZON', supportsTimestamp: true, parentRead: false, closedWithChildren: false };
  const cp = (position: string | null, status: 'open' | 'closed' | 'finished' = 'open', updatedAt = 5000) => ({
    mappingUuid: mappingUuid('m'), shardId: shardId('s'), position, status, windowState: null, updatedAt,
  });
  test('after a checkpoint: AFTER_SEQUENCE_NUMBER whatever the mode', () => {
    for (const mode of ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const) {
      assert.deepEqual(chooseStart({ ...base, mode, checkpoint: cp('42') }), { kind: 'read', start: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '42' }, writeMarker: false });
    }
    assert.deepEqual(chooseStart({ ...base, checkpoint: cp('42', 'finished') }), { kind: 'done' });
  });
  test('a child of a shard this mapping read starts at TRIM_HORIZON, even under LATEST', () => {
    assert.deepEqual(chooseStart({ ...base, mode: 'LATEST', parentRead: true }), { kind: 'read', start: { type: 'TRIM_HORIZON' }, writeMarker: false });
    assert.deepEqual(chooseStart({ ...base, mode: 'AT_TIMESTAMP', timestampMs: 9, parentRead: true }), { kind: 'read', start: { type: 'AT_TIMESTAMP', timestampMs: 9 }, writeMarker: false });
  });
  test('the mapping position otherwise; LATEST skips closed ancestors and writes a marker', () => {
    assert.deepEqual(chooseStart({ ...base, mode: 'AT_TIMESTAMP', timestampMs: 7 }), { kind: 'read', start: { type: 'AT_TIMESTAMP', timestampMs: 7 }, writeMarker: false });
    assert.deepEqual(chooseStart({ ...base, mode: 'LATEST' }), { kind: 'read', start: { type: 'LATEST' }, writeMarker: true });
    assert.deepEqual(chooseStart({ ...base, mode: 'LATEST', closedWithChildren: true }), { kind: 'skip' });
  });
  test('a LATEST marker resumes at the time reading began (Kinesis) or LATEST (DynamoDB)', () => {
    assert.deepEqual(chooseStart({ ...base, mode: 'LATEST', checkpoint: cp(null) }), { kind: 'read', start: { type: 'AT_TIMESTAMP', timestampMs: 5000 }, writeMarker: false });
    assert.deepEqual(chooseStart({ ...base, mode: 'LATEST', supportsTimestamp: false, checkpoint: cp(null) }), { kind: 'read', start: { type: 'LATEST' }, writeMarker: false });
  });
});

describe('poll pacer', () => {
  test('at most 5 GetRecords starts in any second, even while behind', () => {
    const clock = new ManualClock(0);
    const p = new PollPacer(clock, { random: () => 0.5 });
    for (let i = 0; i < 5; i++) {
      assert.equal(p.waitMs(), 0);
      p.started();
      clock.advance(10);
      p.outcome('behind');
    }
    assert.equal(p.waitMs(), 1000 - 50);
  });
  test('idle back-off 200 → 1000 ms when caught up, reset when behind', () => {
    const clock = new ManualClock(0);
    const p = new PollPacer(clock);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      p.outcome('caughtUp');
      waits.push(p.waitMs());
      clock.advance(p.waitMs());
    }
    assert.deepEqual(waits, [200, 400, 800, 1000, 1000]);
    p.outcome('behind');
    assert.equal(p.waitMs(), 0);
  });
  test('throttling backs off exponentially with jitter, capped', () => {
    const clock = new ManualClock(0);
    const lo = new PollPacer(clock, { random: () => 0 });
    const hi = new PollPacer(clock, { random: () => 0.999999 });
    const seq = (p: PollPacer) => Array.from({ length: 8 }, () => (p.outcome('throttled'), Math.round(p.waitMs())));
    assert.deepEqual(seq(lo), [63, 125, 250, 500, 1000, 2000, 2500, 2500]);
    assert.deepEqual(seq(hi), [250, 500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });
});

describe('shard checkpointer', () => {
  const rec = (id: string): PolledRecord => ({ id: recordId(id), partitionKey: 'k', arrivalMs: 0, payloadBytes: 1, event: {} });
  test('persists positions and statuses in order; complete/release are refused', async () => {
    const store = new MemoryCheckpoints();
    const clock = new ManualClock(1000);
    const m = mappingUuid('m');
    const id: ShardId = shardId('s');
    const cp = new ShardCheckpointer({ store, mapping: m, shard: id, clock });
    assert.equal(cp.snapshot, undefined);
    await Promise.all([cp.checkpoint(rec('1')), cp.checkpoint(rec('2'))]);
    assert.deepEqual(await store.get(m, id), { mappingUuid: m, shardId: id, position: '2', status: 'open', windowState: null, updatedAt: 1000 });
    await cp.checkpoint(rec('3'), { windowState: '{"state":{}}' });
    await cp.markClosed();
    clock.advance(5);
    await cp.markFinished();
    assert.deepEqual(await store.get(m, id), { mappingUuid: m, shardId: id, position: '3', status: 'finished', windowState: '{"state":{}}', updatedAt: 1005 });
    await assert.rejects(cp.complete([rec('4')]), /not used by stream shards/);
    await assert.rejects(cp.release([rec('4')]), /not used by stream shards/);
  });
  test('a LATEST marker keeps the time reading began until the first record is finished', async () => {
    const store = new MemoryCheckpoints();
    const clock = new ManualClock(1000);
    const cp = new ShardCheckpointer({ store, mapping: mappingUuid('m'), shard: shardId('s'), clock });
    await cp.markStarted();
    clock.advance(500);
    await cp.markClosed();
    assert.equal(cp.snapshot?.updatedAt, 1000);
    await cp.checkpoint(rec('9'));
    assert.equal(cp.snapshot?.updatedAt, 1500);
  });
});

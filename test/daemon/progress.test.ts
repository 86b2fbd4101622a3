import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { mappingUuid, shardId } from '../../src/core/ids.js';
import { PipelineEventBus } from '../../src/observability/events.js';
import { startProgress } from '../../src/observability/progress.js';

const mapping = mappingUuid('4b5c0e7e-1111-4222-8333-944455556666');
const shard = shardId('shardId-000000000000');

test('progress: one line per interval from per-batch events, then silence after stop', () => {
  const events = new PipelineEventBus();
  const clock = new ManualClock();
  const lines: string[] = [];
  const p = startProgress({ events, clock, intervalMs: 1000, write: (l) => lines.push(l) });

  events.emit('polled', { mapping, shard, count: 30, bytes: 3000 });
  events.emit('invoked', { mapping, functionName: 'echo', shard, count: 10, bytes: 1000, durationMs: 3, ok: true });
  events.emit('invoked', { mapping, functionName: 'echo', shard, count: 10, bytes: 1000, durationMs: 3, ok: true });
  events.emit('invoked', { mapping, functionName: 'echo', shard, count: 5, bytes: 500, durationMs: 3, ok: false, errorType: 'Unhandled' });
  events.emit('iteratorAge', { mapping, shard, ms: 120 });
  events.emit('iteratorAge', { mapping, shard, ms: 80 });
  clock.advance(999);
  assert.equal(lines.length, 0);
  clock.advance(1);
  assert.deepEqual(lines, [
    'progress: polled 30/s, invoked 20/s, failed 5/s, batches 3/s, mean batch 8.3, lag iterator age 120 ms | totals: polled 30, invoked 20, failed 5, batches 3',
  ]);

  events.emit('offsetLag', { mapping, shard, lag: 7 });
  clock.advance(1000);
  assert.equal(lines[1], 'progress: polled 0/s, invoked 0/s, failed 0/s, batches 0/s, mean batch 0.0, lag offset lag 7 | totals: polled 30, invoked 20, failed 5, batches 3');

  p.stop();
  p.stop();
  assert.equal(clock.pendingTimers, 0);
  events.emit('polled', { mapping, shard, count: 1, bytes: 1 });
  assert.equal(events.has('polled'), false);
  clock.advance(5000);
  assert.equal(lines.length, 2);
});

test('progress: per-second rates over a longer interval', () => {
  const events = new PipelineEventBus();
  const clock = new ManualClock();
  const lines: string[] = [];
  const p = startProgress({ events, clock, intervalMs: 4000, write: (l) => lines.push(l) });
  events.emit('polled', { mapping, shard, count: 10, bytes: 10 });
  clock.advance(4000);
  assert.match(lines[0] ?? '', /^progress: polled 2\.5\/s, invoked 0\/s, .* lag - \| totals: polled 10,/);
  p.stop();
});

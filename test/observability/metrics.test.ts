import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipelineEventBus } from '../../src/observability/events.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { mappingUuid, shardId } from '../../src/core/ids.js';
import { createFakeEngine } from '../support/fake-engine.js';
import { testMapping } from '../support/mapping.js';

/** Parses Prometheus text into `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    assert.ok(m, `unparseable line: ${line}`);
    const labels = (m[2] ?? '')
      .slice(1, -1)
      .split(/,(?=[a-z_]+=)/)
      .filter(Boolean)
      .sort()
      .join(',');
    out.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return out;
}

const M = mappingUuid('11111111-2222-3333-4444-555555555555');
const S = shardId('shardId-000000000000');

test('counters, gauges and histograms follow the pipeline events, labelled by mapping, function and shard', async () => {
  const bus = new PipelineEventBus();
  const metrics = createMetrics(bus, { functionName: (u) => (u === M ? 'fn-a' : undefined) });
  bus.emit('polled', { mapping: M, shard: S, count: 10, bytes: 1000 });
  bus.emit('polled', { mapping: M, shard: S, count: 5, bytes: 500 });
  bus.emit('filtered', { mapping: M, shard: S, count: 3 });
  bus.emit('invoked', { mapping: M, functionName: 'fn-a', shard: S, count: 12, bytes: 900, durationMs: 40, ok: true });
  bus.emit('invoked', { mapping: M, functionName: 'fn-a', shard: S, count: 4, bytes: 100, durationMs: 2000, ok: false, errorType: 'Unhandled' });
  bus.emit('dropped', { mapping: M, shard: S, count: 2, reason: 'RetryAttemptsExhausted' });
  bus.emit('deleted', { mapping: M, shard: S, count: 7 });
  bus.emit('destinationDelivered', { mapping: M, shard: S, count: 4, destination: 'arn:aws:sqs:us-east-1:000000000000:dlq' });
  bus.emit('iteratorAge', { mapping: M, shard: S, ms: 1234 });
  bus.emit('offsetLag', { mapping: M, shard: shardId('t-0'), lag: 42 });
  bus.emit('inflight', { mapping: M, functionName: 'fn-a', delta: 1 });
  bus.emit('inflight', { mapping: M, functionName: 'fn-a', delta: 1 });
  bus.emit('inflight', { mapping: M, functionName: 'fn-a', delta: -1 });
  const text = await metrics.text();
  assert.match(metrics.contentType, /^text\/plain/);
  const v = parse(text);
  const l = 'function_name="fn-a",mapping_uuid="11111111-2222-3333-4444-555555555555"';
  assert.equal(v.get(`sluice_polled_events_total{${l}}`), 15);
  assert.equal(v.get(`sluice_polled_bytes_total{${l}}`), 1500);
  assert.equal(v.get(`sluice_filtered_out_events_total{${l}}`), 3);
  assert.equal(v.get(`sluice_invoked_events_total{${l}}`), 16);
  assert.equal(v.get(`sluice_failed_invoke_events_total{${l}}`), 4);
  assert.equal(v.get(`sluice_dropped_events_total{${l}}`), 2);
  assert.equal(v.get(`sluice_deleted_events_total{${l}}`), 7);
  assert.equal(v.get(`sluice_on_failure_destination_delivered_events_total{${l}}`), 4);
  assert.equal(v.get(`sluice_iterator_age_milliseconds{${l},shard_id="shardId-000000000000"}`), 1234);
  assert.equal(v.get(`sluice_offset_lag{${l},shard_id="t-0"}`), 42);
  assert.equal(v.get(`sluice_inflight_batches{${l}}`), 1);
  assert.equal(v.get(`sluice_invoke_duration_seconds_count{${l}}`), 2);
  assert.equal(v.get(`sluice_invoke_duration_seconds_sum{${l}}`), 2.04);
  const le = (x: string): string => `function_name="fn-a",le="${x}",mapping_uuid="11111111-2222-3333-4444-555555555555"`;
  assert.equal(v.get(`sluice_invoke_duration_seconds_bucket{${le('0.05')}}`), 1);
  assert.equal(v.get(`sluice_invoke_duration_seconds_bucket{${le('2.5')}}`), 2);
  assert.equal(v.get(`sluice_batch_size_bucket{${le('5')}}`), 1);
  assert.equal(v.get(`sluice_batch_size_bucket{${le('25')}}`), 2);
  assert.equal(v.get(`sluice_batch_size_sum{${l}}`), 16);

  metrics.forget(M);
  const after = parse(await metrics.text());
  assert.ok(![...after.keys()].some((k) => k.includes(M)), 'series of a forgotten mapping are gone');

  metrics.close();
  metrics.close();
  bus.emit('polled', { mapping: M, shard: S, count: 10, bytes: 1 });
  assert.equal(bus.has('polled'), false);
  assert.ok(![...parse(await metrics.text()).keys()].some((k) => k.includes(M)));
});

test('the function name is learnt from invoke events when no lookup is given; registries are independent', async () => {
  const bus = new PipelineEventBus();
  const a = createMetrics(bus);
  const b = createMetrics(new PipelineEventBus());
  bus.emit('polled', { mapping: M, shard: S, count: 4, bytes: 4 });
  bus.emit('filtered', { mapping: M, shard: S, count: 1 });
  bus.emit('iteratorAge', { mapping: M, shard: S, ms: 5 });
  bus.emit('inflight', { mapping: M, functionName: 'learnt-fn', delta: 1 });
  bus.emit('invoked', { mapping: M, functionName: 'learnt-fn', shard: S, count: 1, bytes: 1, durationMs: 1, ok: true });
  bus.emit('polled', { mapping: M, shard: S, count: 3, bytes: 3 });
  const v = parse(await a.text());
  assert.equal(v.get('sluice_polled_events_total{function_name="learnt-fn",mapping_uuid="11111111-2222-3333-4444-555555555555"}'), 7);
  assert.equal(v.get('sluice_filtered_out_events_total{function_name="learnt-fn",mapping_uuid="11111111-2222-3333-4444-555555555555"}'), 1);
  assert.equal(v.get('sluice_inflight_batches{function_name="learnt-fn",mapping_uuid="11111111-2222-3333-4444-555555555555"}'), 1);
  assert.ok(![...v.keys()].some((k) => k.includes('function_name=""')), 'no series left without a function name');
  assert.ok(!(await b.text()).includes('learnt-fn'));
  a.close();
  b.close();
});

test('mapping_state reports the engine state at scrape time and drops removed mappings', async () => {
  const engine = createFakeEngine();
  const bus = new PipelineEventBus();
  const metrics = createMetrics(bus, { engine, functionName: () => 'fn' });
  const spec = testMapping('sqs', { Enabled: false });
  await engine.apply(spec);
  let v = parse(await metrics.text());
  assert.equal(v.get(`sluice_mapping_state{function_name="fn",mapping_uuid="${spec.UUID}",state="Disabled"}`), 1);
  assert.equal(v.get(`sluice_mapping_state{function_name="fn",mapping_uuid="${spec.UUID}",state="Enabled"}`), 0);
  await engine.apply({ ...spec, Enabled: true });
  v = parse(await metrics.text());
  assert.equal(v.get(`sluice_mapping_state{function_name="fn",mapping_uuid="${spec.UUID}",state="Enabled"}`), 1);
  await engine.remove(spec.UUID);
  v = parse(await metrics.text());
  assert.ok(![...v.keys()].some((k) => k.startsWith('sluice_mapping_state{') && k.includes(spec.UUID)));
  metrics.close();
});

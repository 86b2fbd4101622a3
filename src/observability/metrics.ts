import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MappingUuid } from '../core/ids.js';
import type { Engine } from '../pipeline/engine.js';
import type { PipelineEventBus } from './events.js';

export interface MetricsOptions {
  /** When given, `sluice_mapping_state` reports each mapping's state (read at scrape time). */
  readonly engine?: Engine;
  /** The function a mapping invokes, for the `function_name` label; learnt from invoke events otherwise. */
  readonly functionName?: (uuid: MappingUuid) => string | undefined;
  /** Metric name prefix. Default `sluice_`. */
  readonly prefix?: string;
}

export interface Metrics {
  /** sluice's own prom-client registry (never the global one). */
  readonly registry: Registry;
  readonly contentType: string;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
  /** Drops every series of a deleted mapping. */
  forget(uuid: MappingUuid): void;
  /** Unsubscribes from the event bus. Idempotent. */
  close(): void;
}

const MAPPING_STATES = ['Creating', 'Enabling', 'Enabled', 'Disabling', 'Disabled', 'Updating', 'Deleting'] as const;

/**
 * Prometheus metrics mirroring what AWS publishes per event source mapping (PolledEventCount,
 * FilteredOutEventCount, InvokedEventCount, FailedInvokeEventCount, DroppedEventCount,
 * DeletedEventCount, OnFailureDestinationDeliveredEventCount, IteratorAge, OffsetLag, concurrency),
 * updated from the pipeline's per-batch events.
 */
export function createMetrics(events: PipelineEventBus, opts: MetricsOptions = {}): Metrics {
  const p = opts.prefix ?? 'sluice_';
  const registry = new Registry();
  const ML = ['mapping_uuid', 'function_name'] as const;
  const SL = ['mapping_uuid', 'function_name', 'shard_id'] as const;
  const counter = (name: string, help: string): Counter<(typeof ML)[number]> =>
    new Counter({ name: `${p}${name}`, help, labelNames: ML, registers: [registry] });

  const polled = counter('polled_events_total', 'Records read from the event source (AWS PolledEventCount).');
  const polledBytes = counter('polled_bytes_total', 'Bytes of records read from the event source.');
  const filtered = counter('filtered_out_events_total', 'Records dropped by FilterCriteria (AWS FilteredOutEventCount).');
  const invoked = counter('invoked_events_total', 'Records sent to the function, retries included (AWS InvokedEventCount).');
  const failed = counter('failed_invoke_events_total', 'Records in invokes that failed (AWS FailedInvokeEventCount).');
  const dropped = counter('dropped_events_total', 'Records given up on without a destination (AWS DroppedEventCount).');
  const deleted = counter('deleted_events_total', 'SQS messages deleted after processing (AWS DeletedEventCount).');
  const delivered = counter('on_failure_destination_delivered_events_total', 'Records sent to the OnFailure destination (AWS OnFailureDestinationDeliveredEventCount).');
  const iteratorAge = new Gauge({ name: `${p}iterator_age_milliseconds`, help: 'Streams: age of the newest record read, per shard (AWS IteratorAge).', labelNames: SL, registers: [registry] });
  const offsetLag = new Gauge({ name: `${p}offset_lag`, help: 'Kafka: records behind the high watermark, per partition (AWS OffsetLag).', labelNames: SL, registers: [registry] });
  const inflight = new Gauge({ name: `${p}inflight_batches`, help: 'Batches being processed by the function now (concurrency).', labelNames: ML, registers: [registry] });
  const duration = new Histogram({
    name: `${p}invoke_duration_seconds`,
    help: 'Duration of one function invoke.',
    labelNames: ML,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: `${p}batch_size`,
    help: 'Records per function invoke.',
    labelNames: ML,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [registry],
  });
  const engine = opts.engine;
  const known = new Set<MappingUuid>();
  const state = new Gauge({
    name: `${p}mapping_state`,
    help: 'Event source mapping state: 1 for the current state.',
    labelNames: ['mapping_uuid', 'function_name', 'state'],
    registers: [registry],
    collect() {
      if (!engine) return;
      this.reset();
      for (const uuid of known) {
        const st = engine.status(uuid);
        if (!st) {
          known.delete(uuid);
          continue;
        }
        for (const s of MAPPING_STATES) this.set({ mapping_uuid: uuid, function_name: fn(uuid), state: s }, s === st.state ? 1 : 0);
      }
    },
  });

  const learnt = new Map<MappingUuid, string>();
  const fn = (uuid: MappingUuid): string => opts.functionName?.(uuid) ?? learnt.get(uuid) ?? '';
  /**
   * The first invoke names a mapping's function: counts recorded before it (under an empty
   * function_name) move to the named series, so each mapping has one series per metric.
   */
  const learn = (uuid: MappingUuid, name: string): void => {
    if (!name || learnt.has(uuid) || opts.functionName?.(uuid) !== undefined) return;
    learnt.set(uuid, name);
    for (const c of [polled, polledBytes, filtered, invoked, failed, dropped, deleted, delivered]) {
      const moved = takeMatching(c, { mapping_uuid: uuid, function_name: '' });
      if (moved > 0) c.inc({ mapping_uuid: uuid, function_name: name }, moved);
    }
    for (const g of [iteratorAge, offsetLag, inflight]) {
      if (g === inflight) {
        const n = takeMatching(g, { mapping_uuid: uuid, function_name: '' });
        if (n !== 0) g.inc({ mapping_uuid: uuid, function_name: name }, n);
      } else removeMatching(g, { mapping_uuid: uuid, function_name: '' });
    }
  };
  const ml = (uuid: MappingUuid): { mapping_uuid: string; function_name: string } => ({ mapping_uuid: uuid, function_name: fn(uuid) });

  const subs = [
    events.on('polled', (e) => {
      const l = ml(e.mapping);
      polled.inc(l, e.count);
      polledBytes.inc(l, e.bytes);
    }),
    events.on('filtered', (e) => filtered.inc(ml(e.mapping), e.count)),
    events.on('invoked', (e) => {
      learn(e.mapping, e.functionName);
      const l = ml(e.mapping);
      invoked.inc(l, e.count);
      if (!e.ok) failed.inc(l, e.count);
      duration.observe(l, e.durationMs / 1000);
      batchSize.observe(l, e.count);
    }),
    events.on('dropped', (e) => dropped.inc(ml(e.mapping), e.count)),
    events.on('deleted', (e) => deleted.inc(ml(e.mapping), e.count)),
    events.on('destinationDelivered', (e) => delivered.inc(ml(e.mapping), e.count)),
    events.on('iteratorAge', (e) => iteratorAge.set({ ...ml(e.mapping), shard_id: e.shard }, e.ms)),
    events.on('offsetLag', (e) => offsetLag.set({ ...ml(e.mapping), shard_id: e.shard }, e.lag)),
    events.on('inflight', (e) => {
      learn(e.mapping, e.functionName);
      inflight.inc(ml(e.mapping), e.delta);
    }),
  ];
  const unwatch = engine?.onStatus((uuid) => known.add(uuid));

  let closed = false;
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    forget(uuid) {
      const m = { mapping_uuid: uuid };
      for (const metric of [polled, polledBytes, filtered, invoked, failed, dropped, deleted, delivered, inflight, duration, batchSize, iteratorAge, offsetLag, state]) {
        removeMatching(metric, m);
      }
      known.delete(uuid);
      learnt.delete(uuid);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const u of subs) u();
      unwatch?.();
    },
  };
}

/** Removes every series whose labels include `match` (prom-client's remove() needs the full label set). */
function removeMatching(metric: Counter<string> | Gauge<string> | Histogram<string>, match: Record<string, string>): void {
  const m = metric as unknown as { hashMap: Record<string, { labels: Record<string, string> }>; remove(l: Record<string, string>): void };
  for (const entry of Object.values(m.hashMap ?? {})) {
    if (Object.entries(match).every(([k, v]) => entry.labels?.[k] === v)) m.remove(entry.labels);
  }
}

/** Removes the series whose labels include `match` and returns the sum of their values. */
function takeMatching(metric: Counter<string> | Gauge<string>, match: Record<string, string>): number {
  const m = metric as unknown as { hashMap: Record<string, { labels: Record<string, string>; value: number }>; remove(l: Record<string, string>): void };
  let sum = 0;
  for (const entry of Object.values(m.hashMap ?? {})) {
    if (Object.entries(match).every(([k, v]) => entry.labels?.[k] === v)) {
      sum += entry.value;
      m.remove(entry.labels);
    }
  }
  return sum;
}

/**
 * Tunables of a shard pipeline, resolved once from the mapping and the caller's options.
 */
import type { MappingSpec } from '../core/mapping.js';
import { isOrdered } from '../core/mapping.js';
import { defaultBackoffMs } from '../failure/retry-policy.js';
import { windowedPayloadLimit } from './windowed-shard.js';

export interface ShardPipelineOptions {
  /**
   * push() waits while this many accepted records are unfinished.
   * Default `max(2 * BatchSize * maxInFlight, 1000)` (recomputed when setMaxInFlight changes it).
   */
  readonly maxPendingRecords?: number;
  /** push() waits while this many payload bytes are unfinished. Default 16 MiB. */
  readonly maxPendingBytes?: number;
  /**
   * Batches in flight at the start. Ordered sources: ParallelizationFactor (1..10, default 1).
   * Queue sources: SQS 5 (AWS starts at 5 concurrent batches; capped by
   * ScalingConfig.MaximumConcurrency), MQ 1. Sources may change it with setMaxInFlight.
   */
  readonly maxInFlight?: number;
  /** Delay before the n-th retry of a function error (ordered). Default 1 s doubling, capped at 60 s. */
  readonly invokeBackoffMs?: (failures: number) => number;
  /** Delay before the n-th retry of a failed OnFailure delivery or checkpoint write. Default 100 ms doubling, capped at 30 s. */
  readonly ioBackoffMs?: (attempt: number) => number;
  /** Payload cap. Default 6 MiB (tests only change it). */
  readonly payloadLimitBytes?: number;
}

export interface ResolvedPipelineOptions {
  readonly ordered: boolean;
  readonly explicitMaxPending: boolean;
  readonly maxPendingRecords: number;
  readonly maxPendingBytes: number;
  readonly maxInFlight: number;
  readonly invokeBackoffMs: (failures: number) => number;
  readonly ioBackoffMs: (attempt: number) => number;
  readonly payloadLimitBytes: number | undefined;
}

export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;

export function defaultIoBackoffMs(attempt: number): number {
  return Math.min(30_000, 100 * 2 ** Math.min(20, Math.max(0, attempt - 1)));
}

export function defaultMaxPendingRecords(batchSize: number, maxInFlight: number): number {
  return Math.max(2 * batchSize * maxInFlight, 1000);
}

export function initialMaxInFlight(m: MappingSpec): number {
  // Tumbling windows: one batch at a time per shard (the window state is sequential).
  if ((m.sourceKind === 'kinesis' || m.sourceKind === 'dynamodb') && (m.TumblingWindowInSeconds ?? 0) > 0) return 1;
  if (isOrdered(m.sourceKind)) return m.sourceKind === 'kafka' ? 1 : Math.max(1, m.ParallelizationFactor ?? 1);
  if (m.sourceKind === 'sqs') return Math.min(5, m.ScalingConfig?.MaximumConcurrency ?? 5);
  return 1;
}

export function resolvePipelineOptions(m: MappingSpec, o: ShardPipelineOptions = {}): ResolvedPipelineOptions {
  const maxInFlight = Math.max(1, o.maxInFlight ?? initialMaxInFlight(m));
  return {
    ordered: isOrdered(m.sourceKind),
    explicitMaxPending: o.maxPendingRecords !== undefined,
    maxPendingRecords: o.maxPendingRecords ?? defaultMaxPendingRecords(m.BatchSize, maxInFlight),
    maxPendingBytes: o.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES,
    maxInFlight,
    invokeBackoffMs: o.invokeBackoffMs ?? defaultBackoffMs,
    ioBackoffMs: o.ioBackoffMs ?? defaultIoBackoffMs,
    payloadLimitBytes: windowedPayloadLimit(m, o.payloadLimitBytes),
  };
}

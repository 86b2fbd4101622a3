/**
 * The OnFailure route of ordered sources: records given up on (retries exhausted, too old, or a
 * single record larger than the payload cap) are described to the mapping's OnFailure
 * destination, or dropped when it has none. Either way they then count as finished. A delivery
 * that fails is retried with backoff until it succeeds or the shard is abandoned: the checkpoint
 * never moves past records that were neither delivered nor dropped.
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';
import type { ShardId } from '../core/ids.js';
import type { MappingSpec } from '../core/mapping.js';
import type { PlanError } from '../failure/batch-plan.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { PolledRecord } from '../sources/source.js';

/**
 * Why records were given up. `MaximumPayloadSizeExceeded`: a single record whose event alone
 * exceeds the 6 MB invoke limit (never invoked).
 */
export type FailureRouteCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded' | 'MaximumPayloadSizeExceeded';

/** What a destination needs to build AWS's OnFailure record (esm-semantics.md §7). */
export interface FailureInfo {
  readonly mapping: MappingSpec;
  readonly shardId: ShardId;
  /** The records given up, in shard order (at least one). */
  readonly records: readonly PolledRecord[];
  readonly condition: FailureRouteCondition;
  /** approximateInvokeCount: invokes these records were part of (0 when never invoked). */
  readonly attempts: number;
  /** The last invoke's error; absent when never invoked. errorType '' = response-level failure. */
  readonly lastError?: PlanError;
  /** requestId of the last invoke that contained these records, if any. */
  readonly requestId?: string;
  /** Exact event size of these records (`batchPayloadBytes`), for KafkaBatchInfo.payloadSize. */
  readonly payloadBytes: number;
  /** Clock ms when the records were given up (the record's `timestamp`). */
  readonly timestamp: number;
}

/** A mapping's OnFailure destination as the pipeline sees it. */
export interface FailureHandler {
  /** The destination ARN / URI (for the destinationDelivered event). */
  readonly destination: string;
  /** Delivers one failure record. Rejects on failure (retried by the pipeline). */
  deliver(info: FailureInfo, signal: AbortSignal): Promise<void>;
}

export interface FailureRouteDeps {
  readonly handler?: FailureHandler;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly backoffMs: (attempt: number) => number;
}

/**
 * Delivers (or drops) `info`. Resolves once the records count as finished; rejects only when
 * `signal` aborts before that.
 */
export async function routeFailure(d: FailureRouteDeps, info: FailureInfo, signal: AbortSignal): Promise<void> {
  const count = info.records.length;
  if (!d.handler) {
    d.events.emit('dropped', { mapping: info.mapping.UUID, shard: info.shardId, count, reason: info.condition });
    d.logger.warn('records dropped', { shardId: info.shardId, count, condition: info.condition, first: info.records[0]?.id });
    return;
  }
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    try {
      await d.handler.deliver(info, signal);
      d.events.emit('destinationDelivered', { mapping: info.mapping.UUID, shard: info.shardId, count, destination: d.handler.destination });
      return;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      d.logger.warn('OnFailure delivery failed; retrying', { shardId: info.shardId, destination: d.handler.destination, attempt, err });
      await delay(d.backoffMs(attempt), signal, d.clock);
    }
  }
}

/**
 * When the batching window of the next batch ends (esm-semantics.md §2).
 *
 * - `after-invoke` (Kinesis, DynamoDB, SQS): the window starts when the previous invoke of the
 *   shard completed; before the first invoke, at the first record.
 * - `first-record` (Kafka, MQ): the window starts at the first record of the batch.
 */
import type { SourceKind } from '../core/mapping.js';

export type WindowStart = 'after-invoke' | 'first-record';

export function windowStartFor(kind: SourceKind): WindowStart {
  return kind === 'kafka' || kind === 'rabbitmq' || kind === 'activemq' ? 'first-record' : 'after-invoke';
}

/**
 * Epoch ms at which the window of a batch whose oldest record was accepted at `firstRecordAt`
 * expires. `lastCompletedAt` is when the shard's previous invoke completed (undefined before the
 * first one).
 */
export function windowDeadline(
  rule: WindowStart,
  windowMs: number,
  firstRecordAt: number,
  lastCompletedAt: number | undefined,
): number {
  if (windowMs <= 0) return Number.NEGATIVE_INFINITY;
  const start = rule === 'after-invoke' && lastCompletedAt !== undefined ? lastCompletedAt : firstRecordAt;
  return start + windowMs;
}

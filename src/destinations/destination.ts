/**
 * OnFailure destinations: where discarded stream / Kafka records are described.
 * A destination either takes the record or throws DestinationError (retriable): the pipeline then
 * retries and never checkpoints past an undelivered record.
 */
import type { MappingUuid, ShardId } from '../core/ids.js';
import type { OnFailureRecord } from './failure-record.js';

export interface FailureDelivery {
  /** The AWS-shaped on-failure record (failure-record.ts). */
  readonly record: OnFailureRecord;
  readonly mappingUuid: MappingUuid;
  readonly shardId: ShardId;
  /**
   * The invocation event of the discarded records (AWS shape, e.g. `{"Records":[…]}`). S3, Kafka
   * and file destinations include it as `payload` (a JSON string, as AWS writes it to S3); SQS,
   * SNS and webhook destinations send the record only (AWS: SQS/SNS carry metadata only).
   */
  readonly payload?: unknown;
}

export interface Destination {
  /** The configured target (ARN or URL). */
  readonly target: string;
  /** Resolves once the destination has durably taken the record; throws DestinationError. */
  deliver(d: FailureDelivery, signal: AbortSignal): Promise<void>;
  /** Releases clients/handles. Idempotent. */
  close(): Promise<void>;
}

/** The record plus its payload as AWS writes it to S3 (`payload` is the event as a JSON string). */
export function withPayload(d: FailureDelivery): Record<string, unknown> {
  return d.payload === undefined ? { ...d.record } : { ...d.record, payload: typeof d.payload === 'string' ? d.payload : JSON.stringify(d.payload) };
}

/** Makes `close()` idempotent: the same promise every time. */
export function onceClose(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

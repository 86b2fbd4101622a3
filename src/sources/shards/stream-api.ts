/**
 * What a shard-based stream source (Kinesis, DynamoDB Streams) needs from its service. The shared
 * lineage, checkpoint and poll-loop logic in this folder is written against this interface; each
 * source implements it over its SDK client and turns the service's records into PolledRecords.
 */
import type { ShardId } from '../../core/ids.js';
import type { EventEnvelope, PolledRecord } from '../source.js';

/** One shard as the service lists it. */
export interface ShardDescription {
  readonly shardId: ShardId;
  readonly parentShardId?: ShardId;
  readonly adjacentParentShardId?: ShardId;
  /**
   * The listing shows an ending sequence number. Not proof that the shard is closed on its own
   * (Dynoxide reports one for its open shard); lineage only trusts it when a child exists.
   */
  readonly hasEndingSequence: boolean;
}

/** Where a shard iterator starts. */
export type IteratorStart =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestampMs: number }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

/** One GetRecords call's result. */
export interface ReadResult {
  readonly records: readonly PolledRecord[];
  /** The next iterator, or null when the shard is closed and every record has been returned. */
  readonly nextIterator: string | null;
  /** More records are waiting now: poll again at once (rate limit permitting). */
  readonly behind: boolean;
  /** IteratorAge for this read: ms between this read and the newest record of the shard. */
  readonly iteratorAgeMs: number;
}

/**
 * How a failed call is handled: `throttled` backs off with jitter and keeps the iterator;
 * `iterator` (expired/invalid) gets a new one after the last record handed to the pipeline;
 * `trimmed` restarts from TRIM_HORIZON (the data is gone); `notFound` reports a problem;
 * `other` backs off and renews the iterator.
 */
export type ApiFailureKind = 'throttled' | 'iterator' | 'trimmed' | 'notFound' | 'other';

export interface StreamApi {
  /** How records of this stream are wrapped into the function's event. */
  readonly envelope: EventEnvelope;
  /** Whether AT_TIMESTAMP iterators exist (Kinesis yes, DynamoDB Streams no). */
  readonly supportsTimestamp: boolean;
  /** A name for messages, e.g. `Kinesis stream orders`. */
  readonly label: string;
  /** Every shard of the stream (all pages). */
  listShards(signal: AbortSignal): Promise<readonly ShardDescription[]>;
  getIterator(shard: ShardId, start: IteratorStart, signal: AbortSignal): Promise<string>;
  getRecords(shard: ShardId, iterator: string, signal: AbortSignal): Promise<ReadResult>;
  classify(err: unknown): ApiFailureKind;
  /** Releases the client. */
  close(): void;
}

/** The `name` of an SDK v3 service exception (AWS error code), or undefined. */
export function awsErrorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** HTTP status of an SDK v3 service exception, or undefined. */
export function awsErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const m = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof m?.httpStatusCode === 'number' ? m.httpStatusCode : undefined;
}

/**
 * What the Kinesis and DynamoDB Streams StreamApi adapters share: error classification by AWS
 * error name, the mapping of a described shard, and the check on GetShardIterator's answer.
 * Each adapter supplies only its own error names.
 */
import { shardId } from '../../core/ids.js';
import type { ApiFailureKind, ShardDescription } from './stream-api.js';
import { awsErrorName, awsErrorStatus } from './stream-api.js';

/** The AWS error names of one API, by failure kind. */
export interface ErrorNames {
  /** Throttling errors (HTTP 429 always counts as throttled too). */
  readonly throttled: ReadonlySet<string>;
  /** The shard iterator is unusable: get a new one from the checkpoint. */
  readonly iterator: ReadonlySet<string>;
  /** The requested position has been trimmed from the stream. */
  readonly trimmed?: ReadonlySet<string>;
}

/**
 * A classifier: throttled (by name or HTTP 429), then `ResourceNotFoundException` → notFound,
 * then trimmed, then iterator; anything else is `other`.
 */
export function errorClassifier(names: ErrorNames): (err: unknown) => ApiFailureKind {
  return (err) => {
    const name = awsErrorName(err) ?? '';
    if (names.throttled.has(name) || awsErrorStatus(err) === 429) return 'throttled';
    if (name === 'ResourceNotFoundException') return 'notFound';
    if (names.trimmed?.has(name)) return 'trimmed';
    if (names.iterator.has(name)) return 'iterator';
    return 'other';
  };
}

/** The fields of a Kinesis or DynamoDB Streams `Shard` that describe its lineage and whether it is closed. */
export interface AwsShardShape {
  ShardId?: string | undefined;
  ParentShardId?: string | undefined;
  AdjacentParentShardId?: string | undefined;
  SequenceNumberRange?: { EndingSequenceNumber?: string | undefined } | undefined;
}

export function describeShard(s: AwsShardShape): ShardDescription {
  return {
    shardId: shardId(s.ShardId ?? ''),
    ...(s.ParentShardId ? { parentShardId: shardId(s.ParentShardId) } : {}),
    ...(s.AdjacentParentShardId ? { adjacentParentShardId: shardId(s.AdjacentParentShardId) } : {}),
    hasEndingSequence: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  };
}

/** GetShardIterator's iterator, or an error when the answer has none. */
export function requireIterator(iterator: string | undefined, shard: string): string {
  if (!iterator) throw new Error(`GetShardIterator returned no iterator for ${shard}`);
  return iterator;
}

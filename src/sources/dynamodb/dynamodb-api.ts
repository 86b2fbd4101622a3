/** StreamApi over the DynamoDB Streams API (SDK v3): DescribeStream paging, iterators, GetRecords. */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Clock } from '../../core/clock.js';
import type { IteratorStart, ReadResult, StreamApi } from '../shards/stream-api.js';
import { describeShard, errorClassifier, requireIterator } from '../shards/stream-api-helpers.js';
import { dynamoDbEnvelope, toDynamoDbRecord } from './dynamodb-record.js';

/** GetRecords page size: the DynamoDB Streams maximum. */
export const DYNAMODB_GET_RECORDS_LIMIT = 1000;

export interface DynamoDbApiDeps {
  readonly client: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly awsRegion: string;
  readonly clock: Clock;
  readonly limit?: number;
}

/** Classifies a DynamoDB Streams error for the shard reader's retry policy. */
export const classify = errorClassifier({
  throttled: new Set(['LimitExceededException', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']),
  trimmed: new Set(['TrimmedDataAccessException']),
  iterator: new Set(['ExpiredIteratorException', 'ValidationException']),
});

export function createDynamoDbApi(d: DynamoDbApiDeps): StreamApi {
  const { client, streamArn } = d;
  const limit = d.limit ?? DYNAMODB_GET_RECORDS_LIMIT;
  const ec = { awsRegion: d.awsRegion, eventSourceARN: streamArn };
  return {
    envelope: dynamoDbEnvelope,
    supportsTimestamp: false,
    label: `DynamoDB stream ${streamArn}`,
    async listShards(signal) {
      const shards: Shard[] = [];
      let start: string | undefined;
      do {
        const res = await client.send(
          new DescribeStreamCommand({ StreamArn: streamArn, Limit: 100, ...(start ? { ExclusiveStartShardId: start } : {}) }),
          { abortSignal: signal },
        );
        const page = res.StreamDescription?.Shards ?? [];
        shards.push(...page);
        const next = res.StreamDescription?.LastEvaluatedShardId;
        start = next && next !== start && page.length > 0 ? next : undefined;
      } while (start);
      return shards.map(describeShard);
    },
    async getIterator(shard, start, signal) {
      const res = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard, ...iteratorParams(start) }),
        { abortSignal: signal },
      );
      return requireIterator(res.ShardIterator, shard);
    },
    async getRecords(_shard, iterator, signal): Promise<ReadResult> {
      const res = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), { abortSignal: signal });
      const now = d.clock.now();
      const records = (res.Records ?? []).map((r) => toDynamoDbRecord(r, ec, now));
      const newest = records[records.length - 1];
      return {
        records,
        nextIterator: res.NextShardIterator ?? null,
        behind: records.length > 0,
        iteratorAgeMs: newest ? Math.max(0, now - newest.arrivalMs) : 0,
      };
    },
    classify,
    close() {
      client.destroy();
    },
  };
}

function iteratorParams(start: IteratorStart) {
  switch (start.type) {
    case 'AFTER_SEQUENCE_NUMBER':
      return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: start.sequenceNumber };
    case 'LATEST':
      return { ShardIteratorType: 'LATEST' as const };
    case 'TRIM_HORIZON':
    case 'AT_TIMESTAMP': // not offered by DynamoDB Streams; the source rejects AT_TIMESTAMP mappings
      return { ShardIteratorType: 'TRIM_HORIZON' as const };
  }
}

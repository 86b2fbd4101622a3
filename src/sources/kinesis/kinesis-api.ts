/**
 * StreamApi over the Kinesis Data Streams API (SDK v3). The stream is addressed by StreamARN
 * where the server supports it and by the StreamName parsed from the ARN otherwise: the first
 * ListShards tries the ARN and falls back once when the server rejects it as a bad argument
 * (kinesalite fails every call by StreamARN).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type ListShardsCommandInput,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { Clock } from '../../core/clock.js';
import type { IteratorStart, ReadResult, StreamApi } from '../shards/stream-api.js';
import { awsErrorName } from '../shards/stream-api.js';
import { describeShard, errorClassifier, requireIterator } from '../shards/stream-api-helpers.js';
import { kinesisEnvelope, toKinesisRecord, type KinesisEventContext } from './kinesis-record.js';

/** GetRecords page size: AWS's maximum. Backpressure comes from the shard sink, not from here. */
export const KINESIS_GET_RECORDS_LIMIT = 10_000;

export interface KinesisApiDeps {
  readonly client: KinesisClient;
  readonly streamArn: string;
  readonly streamName: string;
  readonly event: KinesisEventContext;
  readonly clock: Clock;
  /** GetRecords Limit. Default 10 000. */
  readonly limit?: number;
}

/** Classifies a Kinesis error for the shard reader's retry policy. */
export const classify = errorClassifier({
  throttled: new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException', 'KMSThrottlingException']),
  iterator: new Set(['ExpiredIteratorException', 'InvalidArgumentException']),
});
const REF_REJECTED = new Set(['InvalidArgumentException', 'ValidationException', 'SerializationException']);

export function createKinesisApi(d: KinesisApiDeps): StreamApi {
  const { client } = d;
  const limit = d.limit ?? KINESIS_GET_RECORDS_LIMIT;
  /** Decided by the first ListShards: address the stream by ARN or by name. */
  let byArn: boolean | undefined;
  const ref = (): { StreamARN: string } | { StreamName: string } => (byArn === false ? { StreamName: d.streamName } : { StreamARN: d.streamArn });

  const listPage = async (input: ListShardsCommandInput, signal: AbortSignal) => {
    return client.send(new ListShardsCommand(input), { abortSignal: signal });
  };

  return {
    envelope: kinesisEnvelope,
    supportsTimestamp: true,
    label: `Kinesis stream ${d.streamArn}`,
    async listShards(signal) {
      let page;
      if (byArn === undefined) {
        try {
          page = await listPage({ StreamARN: d.streamArn }, signal);
          byArn = true;
        } catch (e) {
          if (!REF_REJECTED.has(awsErrorName(e) ?? '')) throw e;
          byArn = false;
          page = await listPage({ StreamName: d.streamName }, signal);
        }
      } else {
        page = await listPage(ref(), signal);
      }
      const shards: Shard[] = [...(page.Shards ?? [])];
      while (page.NextToken) {
        page = await listPage({ NextToken: page.NextToken }, signal);
        shards.push(...(page.Shards ?? []));
      }
      return shards.map(describeShard);
    },
    async getIterator(shard, start, signal) {
      const res = await client.send(
        new GetShardIteratorCommand({ ...ref(), ShardId: shard, ...iteratorParams(start) }),
        { abortSignal: signal },
      );
      return requireIterator(res.ShardIterator, shard);
    },
    async getRecords(shard, iterator, signal): Promise<ReadResult> {
      const res = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: limit, ...(byArn ? { StreamARN: d.streamArn } : {}) }),
        { abortSignal: signal },
      );
      const now = d.clock.now();
      const raw = res.Records ?? [];
      const records = raw.map((r) => toKinesisRecord(r, shard, d.event, now));
      const behindMs = res.MillisBehindLatest ?? 0;
      return {
        records,
        nextIterator: res.NextShardIterator ?? null,
        behind: behindMs > 0 || raw.length >= limit,
        iteratorAgeMs: behindMs,
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
      return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: start.sequenceNumber };
    case 'AT_TIMESTAMP':
      return { ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: new Date(start.timestampMs) };
    case 'LATEST':
      return { ShardIteratorType: 'LATEST' as const };
    case 'TRIM_HORIZON':
      return { ShardIteratorType: 'TRIM_HORIZON' as const };
  }
}

/** Kinesis test helpers: streams on a real local server (kinesalite or kinesis-local). */
import assert from 'node:assert/strict';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '../../../src/sources/aws-clients.js';
import type { KinesisTestServer } from '../../support/kinesalite.js';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';

export function kinesisClient(server: KinesisTestServer): KinesisClient {
  return new KinesisClient(awsClientConfig(server.aws, 'kinesis'));
}

/** Creates a stream and waits until it is ACTIVE. */
export async function createStream(kinesis: KinesisClient, shards: number, prefix = 'ks'): Promise<string> {
  const StreamName = uniqueName(prefix);
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
  await waitForActive(kinesis, StreamName);
  return StreamName;
}

export async function waitForActive(kinesis: KinesisClient, StreamName: string): Promise<void> {
  await waitFor(
    async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE',
    { timeoutMs: 20_000, message: `stream ${StreamName} ACTIVE` },
  );
}

export async function listShards(kinesis: KinesisClient, StreamName: string): Promise<Shard[]> {
  return (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards ?? [];
}

/** Puts records (key, data) in batches of 500; returns the sequence number and shard of each. */
export async function putRecords(
  kinesis: KinesisClient,
  StreamName: string,
  records: readonly { key: string; data: string }[],
): Promise<{ seq: string; shardId: string }[]> {
  const out: { seq: string; shardId: string }[] = [];
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500);
    const res = await kinesis.send(
      new PutRecordsCommand({ StreamName, Records: chunk.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(r.data) })) }),
    );
    assert.equal(res.FailedRecordCount ?? 0, 0);
    for (const r of res.Records ?? []) out.push({ seq: r.SequenceNumber!, shardId: r.ShardId! });
  }
  return out;
}

/** Creates a 2-shard stream, writes 10 records, reads every shard from TRIM_HORIZON. Returns the stream name. */
export async function kinesisRoundTrip(kinesis: KinesisClient, streamArn: (name: string) => string): Promise<string> {
  const StreamName = await createStream(kinesis, 2, 'smoke');
  const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary;
  assert.equal(summary?.StreamARN, streamArn(StreamName));
  await putRecords(kinesis, StreamName, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, data: `v${i}` })));
  const shards = await listShards(kinesis, StreamName);
  assert.equal(shards.length, 2);
  const got: string[] = [];
  for (const s of shards) {
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of res.Records ?? []) {
      assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
      got.push(Buffer.from(r.Data ?? new Uint8Array()).toString());
    }
    assert.equal(typeof res.MillisBehindLatest, 'number');
  }
  assert.deepEqual(got.sort(), Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
  return StreamName;
}

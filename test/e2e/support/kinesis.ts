/** End-to-end Kinesis helpers: a client for kinesalite, an ACTIVE stream, JSON records put in chunks. */
import assert from 'node:assert/strict';
import { CreateStreamCommand, DescribeStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisTestServer } from '../../support/kinesalite.js';
import { waitFor } from '../../support/wait.js';

/** A Kinesis client for a test server (static credentials, plain HTTP handler). */
export function kinesisClient(kin: KinesisTestServer): KinesisClient {
  return new KinesisClient({ endpoint: kin.endpoint, region: kin.region, credentials: { accessKeyId: 'k', secretAccessKey: 's' }, requestHandler: new NodeHttpHandler() });
}

/** Creates a stream of `shards` shards and waits until it is ACTIVE. */
export async function createActiveStream(kc: KinesisClient, name: string, shards: number): Promise<void> {
  await kc.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitFor(async () => (await kc.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription?.StreamStatus === 'ACTIVE', { message: 'stream ACTIVE' });
}

/**
 * Puts each entry as a JSON record with partition key `entry.key`, `chunkSize` per PutRecords
 * call, asserting that every record is accepted; returns the entries, in order, with the shard
 * and sequence number Kinesis gave each.
 */
export async function putJsonRecords<T extends { readonly key: string }>(
  kc: KinesisClient,
  stream: string,
  entries: readonly T[],
  chunkSize: number,
): Promise<(T & { shard: string; seq: string })[]> {
  const out: (T & { shard: string; seq: string })[] = [];
  for (let i = 0; i < entries.length; i += chunkSize) {
    const chunk = entries.slice(i, i + chunkSize);
    const r = await kc.send(new PutRecordsCommand({ StreamName: stream, Records: chunk.map((e) => ({ PartitionKey: e.key, Data: Buffer.from(JSON.stringify(e)) })) }));
    assert.equal(r.FailedRecordCount ?? 0, 0);
    chunk.forEach((e, j) => {
      const res = r.Records?.[j];
      assert.ok(res?.ShardId && res.SequenceNumber);
      out.push({ ...e, shard: res.ShardId, seq: res.SequenceNumber });
    });
  }
  return out;
}

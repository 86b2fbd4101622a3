import { rng } from './rng.js';

/**
 * `batches` Kinesis-shaped Lambda events of `batchSize` records each, spread over 4 shards, from
 * a fixed seed (42); each record's JSON is ~1 KB (360 random bytes of base64 data).
 */
export function buildKinesisEvents(batches: number, batchSize: number): object[] {
  const rand = rng(42);
  const events: object[] = [];
  for (let b = 0; b < batches; b++) {
    const shard = `shardId-00000000000${b % 4}`;
    const Records = [];
    for (let i = 0; i < batchSize; i++) {
      const data = Buffer.alloc(360);
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(rand() * 256);
      const seq = `4959${String(b * batchSize + i).padStart(52, '0')}`;
      Records.push({
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey: `pk-${Math.floor(rand() * 1e6)}`, sequenceNumber: seq, data: data.toString('base64'), approximateArrivalTimestamp: 1700000000.123 + b },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shard}:${seq}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/sluice',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/bench',
      });
    }
    events.push({ Records });
  }
  return events;
}

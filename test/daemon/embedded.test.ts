import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KinesisClient, GetShardIteratorCommand, GetRecordsCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { SQSClient, ReceiveMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startEmbedded } from '../../src/embedded/index.js';
import { silentLogger } from '../../src/observability/logger.js';
import { awsClientConfig } from '../../src/sources/aws-clients.js';
import { waitFor } from '../support/wait.js';

const aws = { region: 'us-east-1', accountId: '000000000000', endpoints: {} };

test('embedded mode: local SQS and Kinesis on loopback, demo queue and stream, demo producer writes to both', async (t) => {
  const emb = await startEmbedded(
    { enabled: true, sqs: { port: 0 }, kinesis: { port: 0 }, demo: { enabled: true, recordsPerSecond: 100 } },
    aws,
    silentLogger,
  );
  t.after(() => emb.close());
  assert.match(emb.aws.endpoints.sqs ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(emb.aws.endpoints.kinesis ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(emb.aws.endpoints.sqs, emb.aws.endpoints.kinesis);
  const demo = emb.demo;
  assert.ok(demo);
  assert.equal(demo.resources.queueArn, 'arn:aws:sqs:us-east-1:000000000000:sluice-demo');
  assert.equal(demo.resources.streamName, 'sluice-demo');

  const sqs = new SQSClient(awsClientConfig(emb.aws, 'sqs'));
  const kinesis = new KinesisClient(awsClientConfig(emb.aws, 'kinesis'));
  t.after(() => {
    sqs.destroy();
    kinesis.destroy();
  });

  const got = await waitFor(async () => {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: demo.resources.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return r.Messages?.length ? r.Messages : undefined;
  });
  const body = JSON.parse(got[0]?.Body ?? '{}') as { demo?: boolean; seq?: number };
  assert.equal(body.demo, true);
  assert.equal(typeof body.seq, 'number');

  const shards = await kinesis.send(new ListShardsCommand({ StreamName: 'sluice-demo' }));
  assert.equal(shards.Shards?.length, 2);
  const records = await waitFor(async () => {
    let n = 0;
    for (const s of shards.Shards ?? []) {
      const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'sluice-demo', ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const r = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      n += r.Records?.length ?? 0;
    }
    return n >= 10 ? n : undefined;
  });
  assert.ok(records >= 10);

  // Stopping the producer stops the writes: the count no longer moves.
  await demo.producer.stop();
  const sentAtStop = { ...demo.producer.sent };
  assert.ok(sentAtStop.sqs > 0 && sentAtStop.kinesis > 0);
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: demo.resources.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  assert.ok(Number(attrs.Attributes?.ApproximateNumberOfMessages) >= 0);
  assert.deepEqual(demo.producer.sent, sentAtStop);
  await emb.close();
  await emb.close();
});

test('embedded mode: a port in use is a clear start-up error and nothing is left running', async (t) => {
  const first = await startEmbedded({ enabled: true, sqs: { port: 0 }, kinesis: { port: 0 }, demo: { enabled: false, recordsPerSecond: 1 } }, aws, silentLogger);
  t.after(() => first.close());
  assert.equal(first.demo, undefined);
  const kinesisPort = Number(new URL(first.aws.endpoints.kinesis ?? '').port);
  await assert.rejects(
    startEmbedded({ enabled: true, sqs: { port: 0 }, kinesis: { port: kinesisPort }, demo: { enabled: false, recordsPerSecond: 1 } }, aws, silentLogger),
    new RegExp(`cannot start the embedded Kinesis server \\(kinesalite\\) on 127\\.0\\.0\\.1:${kinesisPort}: .*EADDRINUSE`),
  );
});

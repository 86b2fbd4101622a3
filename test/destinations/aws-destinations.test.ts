import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { createDestination } from '../../src/destinations/create.js';
import { DestinationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { AwsSettings } from '../../src/sources/source.js';
import { startSqs, type SqsTestServer } from '../support/sqs-server.js';
import { startS3rver, type RunningS3 } from '../support/s3rver.js';
import { startSnsServer, type RunningSns } from '../support/sns-server.js';
import { uniqueName } from '../support/names.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { sampleDelivery } from './fixtures.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const signal = (): AbortSignal => AbortSignal.timeout(15_000);

describe('SQS destination (local-aws-sqs)', () => {
  let sqs: SqsTestServer;
  let client: SQSClient;
  before(async () => {
    sqs = await startSqs({ region: REGION, accountId: ACCOUNT });
    client = new SQSClient({ region: REGION, endpoint: sqs.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  after(async () => {
    client?.destroy();
    await sqs?.close();
  });
  test('SendMessage of the record; queue URL resolved from the ARN', async () => {
    const name = uniqueName('onfail');
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
    const aws: AwsSettings = { region: REGION, accountId: ACCOUNT, endpoints: { sqs: sqs.endpoint } };
    const dest = createDestination(`arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, { aws, logger: silentLogger });
    try {
      const d1 = sampleDelivery(1);
      const d2 = sampleDelivery(2);
      await dest.deliver(d1, signal());
      await dest.deliver(d2, signal());
      const bodies: unknown[] = [];
      await waitFor(async () => {
        const out = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        for (const m of out.Messages ?? []) bodies.push(JSON.parse(m.Body ?? 'null'));
        return bodies.length >= 2;
      });
      const sorted = bodies.sort((a, b) => (a as typeof d1.record).requestContext.approximateInvokeCount - (b as typeof d1.record).requestContext.approximateInvokeCount);
      assert.deepEqual(sorted, [JSON.parse(JSON.stringify(d1.record)), JSON.parse(JSON.stringify(d2.record))]);
      assert.equal('payload' in (sorted[0] as object), false, 'SQS gets the record without payload');
    } finally {
      await dest.close();
      await dest.close();
    }
  });
  test('a queue that does not exist is a retriable DestinationError', async () => {
    const aws: AwsSettings = { region: REGION, accountId: ACCOUNT, endpoints: { sqs: sqs.endpoint } };
    const dest = createDestination(`arn:aws:sqs:${REGION}:${ACCOUNT}:${uniqueName('missing')}`, { aws, logger: silentLogger });
    try {
      await assert.rejects(dest.deliver(sampleDelivery(), signal()), (e: unknown) => e instanceof DestinationError && e.retriable);
    } finally {
      await dest.close();
    }
  });
});

describe('S3 destination (s3rver)', () => {
  let s3: RunningS3;
  let client: S3Client;
  before(async () => {
    s3 = await startS3rver();
    client = new S3Client({ region: REGION, endpoint: s3.endpoint, credentials: s3.credentials, forcePathStyle: true });
  });
  after(async () => {
    client?.destroy();
    await s3?.close();
  });
  test('PutObject under aws/lambda/<uuid>/<shard>/YYYY/MM/DD/ with the payload', async () => {
    const bucket = uniqueName('onfail').toLowerCase();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const aws: AwsSettings = { region: REGION, accountId: ACCOUNT, endpoints: { s3: s3.endpoint }, credentials: s3.credentials };
    const dest = createDestination(`arn:aws:s3:::${bucket}`, { aws, logger: silentLogger });
    try {
      const d = sampleDelivery(3);
      await dest.deliver(d, signal());
      const list = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.equal(list.Contents?.length, 1);
      const key = list.Contents?.[0]?.Key ?? '';
      assert.match(key, new RegExp(`^aws/lambda/${d.mappingUuid}/${d.shardId}/2026/11/21/${d.record.timestamp.replace(/\./g, '\\.')}-[0-9a-f-]{36}$`));
      const obj = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = JSON.parse(await (obj.Body as { transformToString(): Promise<string> }).transformToString()) as Record<string, unknown>;
      assert.deepEqual(body, { ...JSON.parse(JSON.stringify(d.record)), payload: JSON.stringify(d.payload) });
    } finally {
      await dest.close();
    }
  });
  test('a bucket that does not exist is a retriable DestinationError', async () => {
    const aws: AwsSettings = { region: REGION, accountId: ACCOUNT, endpoints: { s3: s3.endpoint }, credentials: s3.credentials };
    const dest = createDestination(`arn:aws:s3:::${uniqueName('nobucket').toLowerCase()}`, { aws, logger: silentLogger });
    try {
      await assert.rejects(dest.deliver(sampleDelivery(), signal()), (e: unknown) => e instanceof DestinationError && e.retriable && /NoSuchBucket|PutObject/.test(e.message));
    } finally {
      await dest.close();
    }
  });
});

describe('SNS destination (serverless-offline-sns server)', () => {
  let sns: RunningSns;
  let client: SNSClient;
  let sub: Server;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  before(async () => {
    sns = await startSnsServer({ region: REGION, accountId: ACCOUNT });
    client = new SNSClient({ region: REGION, endpoint: sns.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    sub = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => sub.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    client?.destroy();
    await sns?.close();
    sub?.closeAllConnections();
    await new Promise((r) => sub?.close(r));
  });
  test('Publish of the record reaches an http subscriber as an SNS notification', async () => {
    const name = uniqueName('onfail');
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: name }));
    assert.equal(TopicArn, `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`);
    const port = (sub.address() as AddressInfo).port;
    await client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/hook` }));
    const aws: AwsSettings = { region: REGION, accountId: ACCOUNT, endpoints: { sns: sns.endpoint } };
    const dest = createDestination(TopicArn ?? '', { aws, logger: silentLogger });
    try {
      const d = sampleDelivery(4);
      await dest.deliver(d, signal());
      const got = await waitFor(() => received.find((r) => r.body.includes(d.record.requestContext.requestId)));
      const note = JSON.parse(got.body) as { Type: string; TopicArn: string; Message: string };
      assert.equal(note.Type, 'Notification');
      assert.equal(note.TopicArn, TopicArn);
      assert.deepEqual(JSON.parse(note.Message), JSON.parse(JSON.stringify(d.record)));
    } finally {
      await dest.close();
    }
  });
});

describe('AWS destinations that are down', () => {
  test('SQS endpoint on a closed port: retriable DestinationError', async () => {
    const port = await freePort();
    const aws: AwsSettings = { region: REGION, accountId: ACCOUNT, endpoints: { sqs: `http://127.0.0.1:${port}` } };
    const dest = createDestination(`arn:aws:sqs:${REGION}:${ACCOUNT}:q`, { aws, logger: silentLogger });
    try {
      await assert.rejects(dest.deliver(sampleDelivery(), signal()), (e: unknown) => e instanceof DestinationError && e.retriable && e.context.destination === dest.target);
    } finally {
      await dest.close();
    }
  });
});

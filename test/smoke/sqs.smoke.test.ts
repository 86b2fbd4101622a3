/** Smoke test of the in-process SQS emulator with the AWS SDK v3 client (no sluice code). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { startSqs } from '../support/sqs-server.js';
import { uniqueName } from '../support/names.js';
import { awsClientConfig } from '../../src/sources/aws-clients.js';

test('sqs emulator: create, send batch, receive with attributes, delete batch', async () => {
  const server = await startSqs();
  after(() => server.close());
  assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const sqs = new SQSClient(awsClientConfig(server.aws, 'sqs'));
  after(() => sqs.destroy());

  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('smoke') }));
  assert.ok(QueueUrl?.startsWith(server.endpoint));
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: Array.from({ length: 5 }, (_, i) => ({
        Id: `m${i}`,
        MessageBody: `body-${i}`,
        MessageAttributes: { n: { DataType: 'Number', StringValue: String(i) } },
      })),
    }),
  );
  const got = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  assert.equal(got.Messages?.length, 5);
  for (const m of got.Messages ?? []) {
    assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
    assert.match(m.Attributes?.SentTimestamp ?? '', /^\d+$/);
    assert.equal(m.MessageAttributes?.n?.DataType, 'Number');
  }
  const del = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: (got.Messages ?? []).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
  );
  assert.equal(del.Successful?.length, 5);
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, '0');
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, '0');
});

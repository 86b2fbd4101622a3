/** Smoke test of the Dynoxide binary with the SDK v3 DynamoDB and DynamoDB Streams clients (no sluice source code). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { createStreamTable, dynoxideMissing, startDynoxide } from '../support/dynoxide.js';
import { uniqueName } from '../support/names.js';
import { awsClientConfig } from '../../src/sources/aws-clients.js';

test('dynoxide: table with a stream, put an item, read the INSERT record', { skip: dynoxideMissing() }, async () => {
  const server = await startDynoxide();
  after(() => server.close());
  const cfg = awsClientConfig(server.aws, 'dynamodbstreams');
  const ddb = new DynamoDBClient(cfg);
  const streams = new DynamoDBStreamsClient(awsClientConfig(server.aws, 'dynamodbstreams'));
  after(() => {
    ddb.destroy();
    streams.destroy();
  });
  const TableName = uniqueName('smoke');
  const StreamArn = await createStreamTable(ddb, TableName, 'NEW_IMAGE');
  assert.ok(StreamArn.startsWith('arn:aws:dynamodb:'));
  await ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, n: { N: '1' } } }));
  const desc = await streams.send(new DescribeStreamCommand({ StreamArn }));
  const shard = desc.StreamDescription?.Shards?.[0];
  assert.ok(shard?.ShardId);
  const it = await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const res = await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  assert.equal(res.Records?.length, 1);
  const r = res.Records[0]!;
  assert.equal(r.eventName, 'INSERT');
  assert.deepEqual(r.dynamodb?.Keys, { pk: { S: 'a' } });
  assert.deepEqual(r.dynamodb?.NewImage, { pk: { S: 'a' }, n: { N: '1' } });
  assert.equal(r.dynamodb?.StreamViewType, 'NEW_IMAGE');
});

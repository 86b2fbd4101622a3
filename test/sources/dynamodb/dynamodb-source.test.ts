/** The DynamoDB Streams source against Dynoxide: exact records per StreamViewType, checkpoints, positions, a deleted table. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { awsClientConfig } from '../../../src/sources/aws-clients.js';
import { createDynamoDbStreamsSource } from '../../../src/sources/dynamodb/dynamodb-source.js';
import type { MappingSpec } from '../../../src/core/mapping.js';
import type { Source } from '../../../src/sources/source.js';
import { createFakeSourceContext, MemoryCheckpoints, type FakeContext } from '../../support/fake-source-context.js';
import { dynoxideMissing, startDynoxide, type DynoxideServer } from '../../support/dynoxide.js';
import { testMapping } from '../../support/mapping.js';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';

const ITEM = {
  pk: { S: 'user#1' },
  sk: { N: '7' },
  bin: { B: Buffer.from('hi') },
  tags: { SS: ['a', 'b'] },
  blobs: { BS: [Buffer.from('q')] },
  nested: { M: { list: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }] } } },
};
/** ITEM as the Lambda event shows it (binary as base64). */
const ITEM_JSON = {
  pk: { S: 'user#1' },
  sk: { N: '7' },
  bin: { B: 'aGk=' },
  tags: { SS: ['a', 'b'] },
  blobs: { BS: ['cQ=='] },
  nested: { M: { list: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }] } } },
};
const KEYS_JSON = { pk: { S: 'user#1' }, sk: { N: '7' } };

describe('DynamoDB Streams source (Dynoxide)', { skip: dynoxideMissing() }, () => {
  let server: DynoxideServer;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  const running: Source[] = [];
  before(async () => {
    server = await startDynoxide();
    ddb = new DynamoDBClient(awsClientConfig(server.aws, 'dynamodbstreams'));
    streams = new DynamoDBStreamsClient(awsClientConfig(server.aws, 'dynamodbstreams'));
  });
  after(async () => {
    await Promise.all(running.map((s) => s.stop({ deadlineMs: 1000 })));
    ddb?.destroy();
    streams?.destroy();
    await server?.close();
  });

  const createTable = async (view: StreamViewType): Promise<{ TableName: string; arn: string }> => {
    const TableName = uniqueName('ddb');
    const res = await ddb.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: view },
      }),
    );
    return { TableName, arn: res.TableDescription!.LatestStreamArn! };
  };
  const rawRecords = async (arn: string): Promise<_Record[]> => {
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!;
    const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    return (await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }))).Records ?? [];
  };
  const run = async (mapping: MappingSpec, checkpoints = new MemoryCheckpoints()): Promise<{ source: Source; ctx: FakeContext }> => {
    const ctx = createFakeSourceContext({ mapping, aws: server.aws, checkpoints });
    const source = createDynamoDbStreamsSource(mapping, { pacing: { idleMaxMs: 200 } });
    running.push(source);
    await source.start(ctx);
    return { source, ctx };
  };

  const views: { view: StreamViewType; images: Record<'INSERT' | 'MODIFY' | 'REMOVE', ('NewImage' | 'OldImage')[]> }[] = [
    { view: 'KEYS_ONLY', images: { INSERT: [], MODIFY: [], REMOVE: [] } },
    { view: 'NEW_IMAGE', images: { INSERT: ['NewImage'], MODIFY: ['NewImage'], REMOVE: [] } },
    { view: 'OLD_IMAGE', images: { INSERT: [], MODIFY: ['OldImage'], REMOVE: ['OldImage'] } },
    { view: 'NEW_AND_OLD_IMAGES', images: { INSERT: ['NewImage'], MODIFY: ['NewImage', 'OldImage'], REMOVE: ['OldImage'] } },
  ];
  for (const { view, images } of views) {
    test(`INSERT / MODIFY / REMOVE records with StreamViewType ${view} have AWS’s exact shape`, async () => {
      const { TableName, arn } = await createTable(view);
      await ddb.send(new PutItemCommand({ TableName, Item: ITEM }));
      await ddb.send(new UpdateItemCommand({ TableName, Key: { pk: ITEM.pk, sk: ITEM.sk }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'z' } } }));
      await ddb.send(new DeleteItemCommand({ TableName, Key: { pk: ITEM.pk, sk: ITEM.sk } }));
      const raw = await rawRecords(arn);
      assert.equal(raw.length, 3);
      const { source, ctx } = await run(testMapping('dynamodb', { EventSourceArn: arn }));
      await waitFor(() => ctx.all.length === 3);
      const modified = { ...ITEM_JSON, v: { S: 'z' } };
      const imageOf = { INSERT: { NewImage: ITEM_JSON }, MODIFY: { NewImage: modified, OldImage: ITEM_JSON }, REMOVE: { OldImage: modified } } as const;
      (['INSERT', 'MODIFY', 'REMOVE'] as const).forEach((name, i) => {
        const r = ctx.all[i]!;
        const d = raw[i]!.dynamodb!;
        const want = {
          eventID: raw[i]!.eventID,
          eventName: name,
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: 'dynoxide',
          dynamodb: {
            ApproximateCreationDateTime: d.ApproximateCreationDateTime!.getTime() / 1000,
            Keys: KEYS_JSON,
            ...Object.fromEntries(images[name].map((k) => [k, (imageOf[name] as Record<string, unknown>)[k]])),
            SequenceNumber: d.SequenceNumber,
            SizeBytes: d.SizeBytes,
            StreamViewType: view,
          },
          eventSourceARN: arn,
        };
        assert.deepEqual(r.event, want, `${view} ${name}`);
        assert.deepEqual(Object.keys(r.event as object), ['eventID', 'eventName', 'eventVersion', 'eventSource', 'awsRegion', 'dynamodb', 'eventSourceARN']);
        assert.equal(r.id, d.SequenceNumber);
        assert.equal(r.partitionKey, '{"pk":{"S":"user#1"},"sk":{"N":"7"}}');
        assert.equal(r.arrivalMs, d.ApproximateCreationDateTime!.getTime());
        assert.equal(r.payloadBytes, Buffer.byteLength(JSON.stringify(r.event)));
      });
      await source.stop();
    });
  }

  test('resumes after its checkpoint; LATEST skips older records', async () => {
    const { TableName, arn } = await createTable('NEW_IMAGE');
    const put = (n: number) => ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: `p${n}` }, sk: { N: String(n) } } }));
    for (let i = 0; i < 5; i++) await put(i);
    const mapping = testMapping('dynamodb', { EventSourceArn: arn });
    const checkpoints = new MemoryCheckpoints();
    const a = await run(mapping, checkpoints);
    await waitFor(() => a.ctx.all.length === 5);
    await a.source.stop();
    const latest = await run(testMapping('dynamodb', { EventSourceArn: arn, StartingPosition: 'LATEST' }));
    let polls = 0;
    latest.ctx.events.on('iteratorAge', () => polls++);
    await waitFor(() => polls > 0);
    for (let i = 5; i < 8; i++) await put(i);
    const b = await run(mapping, checkpoints);
    await waitFor(() => b.ctx.all.length >= 3 && latest.ctx.all.length >= 3);
    const pks = (c: FakeContext) => c.all.map((r) => (r.event as { dynamodb: { Keys: { pk: { S: string } } } }).dynamodb.Keys.pk.S);
    assert.deepEqual(pks(b.ctx), ['p5', 'p6', 'p7']);
    assert.deepEqual(pks(latest.ctx), ['p5', 'p6', 'p7']);
    await Promise.all([b.source.stop(), latest.source.stop()]);
  });

  test('AT_TIMESTAMP is rejected; a deleted table is reported as a problem without a crash', async () => {
    const { TableName, arn } = await createTable('KEYS_ONLY');
    const bad = testMapping('dynamodb', { EventSourceArn: arn, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: 1 });
    const src = createDynamoDbStreamsSource(bad);
    await assert.rejects(src.start(createFakeSourceContext({ mapping: bad, aws: server.aws })), (e: unknown) => (e as { code?: string }).code === 'INVALID_STARTING_POSITION');
    await src.stop();
    const { source, ctx } = await run(testMapping('dynamodb', { EventSourceArn: arn }));
    await ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: 'x' }, sk: { N: '1' } } }));
    await waitFor(() => ctx.all.length === 1);
    await ddb.send(new DeleteTableCommand({ TableName }));
    const problem = await waitFor(() => ctx.problems.find((p) => p !== null));
    assert.match(problem, new RegExp(`^DynamoDB stream ${arn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} not found: ResourceNotFoundException`));
    await source.stop();
  });
});

/**
 * End to end, DynamoDB Streams: the daemon in-process, Dynoxide (one shard per stream), the
 * recorder handler in worker threads.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../../src/sources/aws-clients.js';
import { createStreamTable, dynoxideMissing, startDynoxide, type DynoxideServer } from '../support/dynoxide.js';
import { uniqueName } from '../support/names.js';
import { waitFor } from '../support/wait.js';
import { daemonYaml, readLines, recorderFunction, startDaemonFromYaml, tempDir } from './support/e2e.js';

interface DLine {
  readonly t: number;
  readonly records: readonly Record<string, unknown>[];
}

/** Why this file cannot run yet: no Dynoxide binary, or no DynamoDB poller in the registry. */
function skipReason(): string | undefined {
  const missing = dynoxideMissing();
  if (missing) return missing;
  const src = readFileSync(fileURLToPath(new URL('../../src/sources/registry.js', import.meta.url)), 'utf8');
  return /createDynamoDbStreamsSource/.test(src) ? undefined : 'the DynamoDB Streams source is not wired into src/sources/registry.ts yet';
}
const SKIP = skipReason();

let server: DynoxideServer | undefined;
let ddb: DynamoDBClient | undefined;
before(async () => {
  if (SKIP) return;
  server = await startDynoxide();
  ddb = new DynamoDBClient(awsClientConfig(server.aws, 'dynamodbstreams'));
});
after(async () => {
  ddb?.destroy();
  await server?.close();
});

test('DynamoDB Streams: every INSERT / MODIFY / REMOVE reaches the handler once, in order, with the exact AWS shape', { timeout: 60_000, skip: SKIP ?? false }, async (t) => {
  assert.ok(server && ddb);
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const out = join(dir, 'out.jsonl');
  const TableName = uniqueName('e2e-ddb');
  const realArn = await createStreamTable(ddb, TableName, 'NEW_AND_OLD_IMAGES');
  // Dynoxide's ARNs carry the region "dynoxide", which AWS's ARN pattern (and so sluice's
  // validator) rejects; the mapping names the stream with a real region, which Dynoxide ignores.
  const arn = realArn.replace(':dynoxide:', ':us-east-1:');
  // 40 inserts, then 20 updates, then 10 deletes: 70 changes in a known order.
  const expected: { name: string; pk: string; v: number | undefined }[] = [];
  for (let i = 0; i < 40; i++) {
    await ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: `p${i}` }, v: { N: '0' } } }));
    expected.push({ name: 'INSERT', pk: `p${i}`, v: 0 });
  }
  for (let i = 0; i < 20; i++) {
    await ddb.send(new UpdateItemCommand({ TableName, Key: { pk: { S: `p${i}` } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '1' } } }));
    expected.push({ name: 'MODIFY', pk: `p${i}`, v: 1 });
  }
  for (let i = 30; i < 40; i++) {
    await ddb.send(new DeleteItemCommand({ TableName, Key: { pk: { S: `p${i}` } } }));
    expected.push({ name: 'REMOVE', pk: `p${i}`, v: undefined });
  }

  const d = await startDaemonFromYaml(
    dir,
    daemonYaml({
      stateDb: join(dir, 'state.db'),
      accountId: server.accountId,
      endpoints: { dynamodbstreams: server.endpoint },
      functions: recorderFunction('ddb', 'dynamodb', out, dir),
      mappings: `  - { FunctionName: ddb, EventSourceArn: ${JSON.stringify(arn)}, StartingPosition: TRIM_HORIZON, BatchSize: 10 }`,
    }),
  );
  t.after(() => d.stop());

  const all = (): Record<string, unknown>[] => readLines<DLine>(out).flatMap((l) => l.records);
  await waitFor(() => all().length >= expected.length, { timeoutMs: 30_000, intervalMs: 100, message: `${expected.length} changes invoked` });
  const recs = all();
  const lines = readLines<DLine>(out);
  for (const l of lines) assert.ok(l.records.length <= 10, 'BatchSize 10');
  const got = recs.map((r) => {
    const dd = r['dynamodb'] as Record<string, Record<string, Record<string, string>>>;
    const img = r['eventName'] === 'REMOVE' ? undefined : dd['NewImage']?.['v']?.['N'];
    return { name: String(r['eventName']), pk: String(dd['Keys']?.['pk']?.['S']), v: img === undefined ? undefined : Number(img) };
  });
  assert.deepEqual(got, expected, 'each change once, in stream order');
  const seqs = recs.map((r) => BigInt(String((r['dynamodb'] as Record<string, unknown>)['SequenceNumber'])));
  for (let i = 1; i < seqs.length; i++) assert.ok((seqs[i] ?? 0n) > (seqs[i - 1] ?? 0n), 'sequence numbers increase');

  const modify = recs.find((r) => r['eventName'] === 'MODIFY');
  assert.ok(modify);
  assert.deepEqual(Object.keys(modify).sort(), ['awsRegion', 'dynamodb', 'eventID', 'eventName', 'eventSource', 'eventSourceARN', 'eventVersion']);
  assert.equal(modify['eventSource'], 'aws:dynamodb');
  assert.equal(modify['eventVersion'], '1.1');
  assert.equal(modify['eventSourceARN'], arn);
  const dd = modify['dynamodb'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(dd).sort(), ['ApproximateCreationDateTime', 'Keys', 'NewImage', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType']);
  assert.equal(dd['StreamViewType'], 'NEW_AND_OLD_IMAGES');
  assert.deepEqual(dd['OldImage'], { pk: { S: 'p0' }, v: { N: '0' } });
  assert.deepEqual(dd['NewImage'], { pk: { S: 'p0' }, v: { N: '1' } });
  assert.equal(typeof dd['SizeBytes'], 'number');
  assert.equal(typeof dd['ApproximateCreationDateTime'], 'number');
  const remove = recs.find((r) => r['eventName'] === 'REMOVE');
  assert.ok(remove);
  assert.deepEqual(Object.keys(remove['dynamodb'] as object).sort(), ['ApproximateCreationDateTime', 'Keys', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType']);
});

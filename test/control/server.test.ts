import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { mappingUuid, shardId } from '../../src/core/ids.js';
import { startHarness, SQS_ARN, KINESIS_ARN, DDB_ARN, MQ_ARN, ACCOUNT, REGION, type Harness } from './harness.js';
import { waitFor } from '../support/wait.js';

const FN = (name: string, q?: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${q ? `:${q}` : ''}`;

async function settled(h: Harness, uuid: string, state: string): Promise<EventSourceMappingConfiguration> {
  return waitFor(async () => {
    const m = await h.client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    return m.State === state ? m : undefined;
  }, { message: `mapping ${uuid} reaches ${state}` });
}

const strip = (o: object): Record<string, unknown> => {
  const { $metadata: _m, ...rest } = o as Record<string, unknown>;
  return rest;
};

test('CreateEventSourceMapping (SQS) answers 202 with AWS defaults; the engine gets the spec; Get shows Enabled', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const res = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('orders') }));
  assert.equal(res.$metadata.httpStatusCode, 202);
  assert.ok(res.LastModified instanceof Date);
  assert.deepEqual(strip({ ...res, LastModified: undefined }), {
    UUID: res.UUID,
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 0,
    EventSourceArn: SQS_ARN('orders'),
    FunctionArn: FN('fn-a'),
    LastModified: undefined,
    State: 'Creating',
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: [],
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${res.UUID}`,
  });
  const got = await settled(h, res.UUID!, 'Enabled');
  assert.equal(got.BatchSize, 10);
  const spec = h.engine.applied.at(-1)!;
  assert.equal(spec.UUID, res.UUID);
  assert.equal(spec.sourceKind, 'sqs');
  assert.equal(spec.batchingWindowMs, 0);
  assert.equal(spec.FunctionName, 'fn-a');
  const stored = await h.store.mappings.get(mappingUuid(res.UUID!));
  assert.equal(stored?.spec.EventSourceArn, SQS_ARN('orders'));
  await waitFor(async () => (await h.store.mappings.get(mappingUuid(res.UUID!)))?.state === 'Enabled', { message: 'engine state persisted' });
});

test('Kinesis and DynamoDB mappings echo every stream default; FunctionName as ARN or partial ARN, with qualifier', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const k = await h.client.send(
    new CreateEventSourceMappingCommand({ FunctionName: FN('fn-a', 'live'), EventSourceArn: KINESIS_ARN('clicks'), StartingPosition: 'TRIM_HORIZON' }),
  );
  assert.deepEqual(strip({ ...k, LastModified: undefined }), {
    UUID: k.UUID,
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 100,
    MaximumBatchingWindowInSeconds: 0,
    ParallelizationFactor: 1,
    EventSourceArn: KINESIS_ARN('clicks'),
    FunctionArn: FN('fn-a', 'live'),
    LastModified: undefined,
    LastProcessingResult: 'No records processed',
    State: 'Creating',
    StateTransitionReason: 'User action',
    DestinationConfig: { OnFailure: {} },
    MaximumRecordAgeInSeconds: -1,
    BisectBatchOnFunctionError: false,
    MaximumRetryAttempts: -1,
    TumblingWindowInSeconds: 0,
    FunctionResponseTypes: [],
    EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${k.UUID}`,
  });
  const ts = new Date(Math.floor(Date.now() / 1000 - 3600) * 1000);
  const k2 = await h.client.send(
    new CreateEventSourceMappingCommand({ FunctionName: `${ACCOUNT}:function:fn-b`, EventSourceArn: KINESIS_ARN('clicks'), StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: ts }),
  );
  assert.equal(k2.FunctionArn, FN('fn-b'));
  assert.equal(k2.StartingPositionTimestamp?.getTime(), ts.getTime());
  const d = await h.client.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'my-function',
      EventSourceArn: DDB_ARN('Orders'),
      StartingPosition: 'LATEST',
      BatchSize: 500,
      ParallelizationFactor: 4,
      MaximumRecordAgeInSeconds: 60,
      MaximumRetryAttempts: 0,
      BisectBatchOnFunctionError: true,
      TumblingWindowInSeconds: 900,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: SQS_ARN('dlq') } },
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
    }),
  );
  assert.equal(d.BatchSize, 500);
  assert.equal(d.ParallelizationFactor, 4);
  assert.equal(d.MaximumRecordAgeInSeconds, 60);
  assert.equal(d.MaximumRetryAttempts, 0);
  assert.equal(d.BisectBatchOnFunctionError, true);
  assert.equal(d.TumblingWindowInSeconds, 900);
  assert.deepEqual(d.FunctionResponseTypes, ['ReportBatchItemFailures']);
  assert.deepEqual(d.DestinationConfig, { OnFailure: { Destination: SQS_ARN('dlq') } });
  assert.deepEqual(d.FilterCriteria, { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] });
  await settled(h, d.UUID!, 'Enabled');
});

test('Kafka and MQ: window stays at the 500 ms default until set; Topics/Queues and endpoints echoed', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const kf = await h.client.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'fn-a',
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['127.0.0.1:9092', 'kafka-2:9092'] } },
      Topics: ['orders'],
      StartingPosition: 'LATEST',
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'my-group' },
    }),
  );
  assert.equal(kf.MaximumBatchingWindowInSeconds, undefined);
  assert.equal(kf.EventSourceArn, undefined);
  assert.deepEqual(kf.Topics, ['orders']);
  assert.deepEqual(kf.SelfManagedEventSource, { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['127.0.0.1:9092', 'kafka-2:9092'] } });
  assert.deepEqual(kf.SelfManagedKafkaEventSourceConfig, { ConsumerGroupId: 'my-group' });
  await settled(h, kf.UUID!, 'Enabled');
  let spec = h.engine.specs.get(mappingUuid(kf.UUID!))!;
  assert.equal(spec.sourceKind, 'kafka');
  assert.equal(spec.batchingWindowMs, 500);
  const up = await h.client.send(new UpdateEventSourceMappingCommand({ UUID: kf.UUID, MaximumBatchingWindowInSeconds: 2 }));
  assert.equal(up.MaximumBatchingWindowInSeconds, 2);
  await settled(h, kf.UUID!, 'Enabled');
  spec = h.engine.specs.get(mappingUuid(kf.UUID!))!;
  assert.equal(spec.batchingWindowMs, 2000);
  const withDest = await h.client.send(new UpdateEventSourceMappingCommand({ UUID: kf.UUID, DestinationConfig: { OnFailure: { Destination: 'kafka://orders-dlq' } }, MaximumRetryAttempts: 3 }));
  assert.deepEqual(withDest.DestinationConfig, { OnFailure: { Destination: 'kafka://orders-dlq' } });
  assert.equal(withDest.MaximumRetryAttempts, 3);
  await settled(h, kf.UUID!, 'Enabled');

  const rmq = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: MQ_ARN, Queues: ['jobs'] }));
  assert.deepEqual(rmq.Queues, ['jobs']);
  assert.equal(rmq.BatchSize, 100);
  await settled(h, rmq.UUID!, 'Enabled');
  assert.equal(h.engine.specs.get(mappingUuid(rmq.UUID!))?.sourceKind, 'rabbitmq');
});

test('UpdateEventSourceMapping changes parameters, pauses and resumes, sets and clears filters and destinations', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const k = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: KINESIS_ARN('upd'), StartingPosition: 'LATEST' }));
  await settled(h, k.UUID!, 'Enabled');
  const before = (await h.client.send(new GetEventSourceMappingCommand({ UUID: k.UUID }))).LastModified!;
  const u = await h.client.send(
    new UpdateEventSourceMappingCommand({
      UUID: k.UUID,
      BatchSize: 250,
      Enabled: false,
      FilterCriteria: { Filters: [{ Pattern: '{"data":{"kind":["a"]}}' }] },
      DestinationConfig: { OnFailure: { Destination: SQS_ARN('dlq') } },
    }),
  );
  assert.equal(u.$metadata.httpStatusCode, 202);
  assert.equal(u.BatchSize, 250);
  assert.equal(u.StartingPosition, 'LATEST');
  assert.ok(['Updating', 'Disabling', 'Disabled'].includes(u.State!), u.State);
  assert.ok(u.LastModified!.getTime() >= before.getTime());
  await settled(h, k.UUID!, 'Disabled');
  assert.equal(h.engine.specs.get(mappingUuid(k.UUID!))?.Enabled, false);
  const cleared = await h.client.send(
    new UpdateEventSourceMappingCommand({ UUID: k.UUID, Enabled: true, FilterCriteria: {}, DestinationConfig: { OnFailure: {} } }),
  );
  assert.equal(cleared.FilterCriteria, undefined);
  assert.deepEqual(cleared.DestinationConfig, { OnFailure: {} });
  assert.equal(cleared.BatchSize, 250);
  await settled(h, k.UUID!, 'Enabled');
  const spec = h.engine.specs.get(mappingUuid(k.UUID!))!;
  assert.equal(spec.FilterCriteria, undefined);
  assert.equal(spec.DestinationConfig, undefined);
  assert.equal(spec.UUID, k.UUID);
});

test('ResourceInUseException while Creating / Updating / Deleting; Delete answers 202 Deleting, then the mapping is gone', async (t) => {
  const h = await startHarness({ hold: true });
  t.after(() => h.close());
  const m = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('busy') }));
  assert.equal((await h.client.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State, 'Creating');
  for (const cmd of [new UpdateEventSourceMappingCommand({ UUID: m.UUID, BatchSize: 5 }), new DeleteEventSourceMappingCommand({ UUID: m.UUID })]) {
    const err = (await h.client.send(cmd as UpdateEventSourceMappingCommand).catch((e: Error) => e)) as Error & { $metadata: { httpStatusCode: number } };
    assert.equal(err.name, 'ResourceInUseException');
    assert.match(err.message, /^Cannot (update|delete) the event source mapping because it is in use\.$/);
    assert.equal(err.$metadata.httpStatusCode, 400);
  }
  h.engine.release();
  await settled(h, m.UUID!, 'Enabled');
  await h.client.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, BatchSize: 5 }));
  assert.equal((await h.client.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State, 'Updating');
  const e2 = await h.client.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, BatchSize: 6 })).catch((e: Error) => e);
  assert.equal((e2 as Error).name, 'ResourceInUseException');
  h.engine.release();
  await settled(h, m.UUID!, 'Enabled');
  await h.store.checkpoints.put({ mappingUuid: mappingUuid(m.UUID!), shardId: shardId(SQS_ARN('busy')), position: '1', status: 'open', windowState: null, updatedAt: 1 });
  const del = await h.client.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  assert.equal(del.$metadata.httpStatusCode, 202);
  assert.equal(del.State, 'Deleting');
  assert.equal(del.BatchSize, 5);
  assert.equal((await h.client.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State, 'Deleting');
  const e3 = await h.client.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID })).catch((e: Error) => e);
  assert.equal((e3 as Error).name, 'ResourceInUseException');
  await waitFor(() => h.engine.held > 0);
  h.engine.release();
  await waitFor(async () => {
    const e = await h.client.send(new GetEventSourceMappingCommand({ UUID: m.UUID })).catch((x: Error) => x);
    return e instanceof Error && e.name === 'ResourceNotFoundException';
  });
  assert.deepEqual(h.engine.removed, [m.UUID]);
  assert.equal(await h.store.mappings.get(mappingUuid(m.UUID!)), undefined);
  assert.deepEqual(await h.store.checkpoints.list(mappingUuid(m.UUID!)), []);
});

test('one mapping per queue/stream and function: ResourceConflictException 409 naming the existing UUID', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const first = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('dup') }));
  for (const fn of ['fn-a', FN('fn-a'), `${ACCOUNT}:function:fn-a`]) {
    const err = (await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: SQS_ARN('dup'), BatchSize: 5 })).catch((e: Error) => e)) as Error & {
      $metadata: { httpStatusCode: number };
    };
    assert.equal(err.name, 'ResourceConflictException');
    assert.equal(err.message, `An event source mapping with SQS arn (" ${SQS_ARN('dup')} ") and function (" fn-a ") already exists. Please update or delete the existing mapping with UUID ${first.UUID}`);
    assert.equal(err.$metadata.httpStatusCode, 409);
  }
  await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-b', EventSourceArn: SQS_ARN('dup') }));
  await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: FN('fn-a', 'v2'), EventSourceArn: SQS_ARN('dup') }));
  const s1 = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: KINESIS_ARN('dup'), StartingPosition: 'LATEST' }));
  const err = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: KINESIS_ARN('dup'), StartingPosition: 'TRIM_HORIZON' })).catch((e: Error) => e);
  assert.equal((err as Error).name, 'ResourceConflictException');
  assert.equal(
    (err as Error).message,
    `The event source arn (" ${KINESIS_ARN('dup')} ") and function (" fn-a ") provided mapping already exists. Please update or delete the existing mapping with UUID ${s1.UUID}`,
  );
  const list = await h.client.send(new ListEventSourceMappingsCommand({ EventSourceArn: SQS_ARN('dup') }));
  assert.equal(list.EventSourceMappings?.length, 3);
});

test('ListEventSourceMappings pages over 250 mappings with Marker/NextMarker (at most 100 per page) and filters', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const created = new Set<string>();
  for (let i = 0; i < 250; i++) {
    const fn = i % 5 === 0 ? 'fn-b' : 'fn-a';
    const r = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: SQS_ARN(`page-${i}`), Enabled: i % 2 === 0 }));
    created.add(r.UUID!);
  }
  const seen: string[] = [];
  const sizes: number[] = [];
  let marker: string | undefined;
  do {
    const page = await h.client.send(new ListEventSourceMappingsCommand({ Marker: marker, MaxItems: 100 }));
    sizes.push(page.EventSourceMappings!.length);
    for (const m of page.EventSourceMappings!) seen.push(m.UUID!);
    marker = page.NextMarker;
  } while (marker);
  assert.deepEqual(sizes, [100, 100, 50]);
  assert.equal(new Set(seen).size, 250);
  assert.deepEqual(new Set(seen), created);
  const capped = await h.client.send(new ListEventSourceMappingsCommand({ MaxItems: 1000 }));
  assert.equal(capped.EventSourceMappings!.length, 100);
  assert.ok(capped.NextMarker);
  const small = await h.client.send(new ListEventSourceMappingsCommand({ MaxItems: 7 }));
  assert.equal(small.EventSourceMappings!.length, 7);
  const byFn = await h.client.send(new ListEventSourceMappingsCommand({ FunctionName: 'fn-b' }));
  assert.equal(byFn.EventSourceMappings!.length, 50);
  assert.ok(byFn.EventSourceMappings!.every((m) => m.FunctionArn === FN('fn-b')));
  assert.equal(byFn.NextMarker, undefined);
  const byArn = await h.client.send(new ListEventSourceMappingsCommand({ EventSourceArn: SQS_ARN('page-7') }));
  assert.equal(byArn.EventSourceMappings!.length, 1);
  const both = await h.client.send(new ListEventSourceMappingsCommand({ EventSourceArn: SQS_ARN('page-7'), FunctionName: FN('fn-b') }));
  assert.equal(both.EventSourceMappings!.length, 0);
  const bad = await h.client.send(new ListEventSourceMappingsCommand({ Marker: 'garbage' })).catch((e: Error) => e);
  assert.equal((bad as Error).name, 'InvalidParameterValueException');
  await waitFor(async () => (await h.store.mappings.list()).filter((m) => m.state === 'Disabled').length === 125, { message: 'disabled ones settle' });
});

test('an engine that fails to apply leaves the mapping Disabled with a PROBLEM result', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  h.engine.failNextApply = 'cannot reach the stream';
  const k = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: KINESIS_ARN('broken'), StartingPosition: 'LATEST' }));
  const m = await settled(h, k.UUID!, 'Disabled');
  assert.equal(m.LastProcessingResult, 'PROBLEM: cannot reach the stream');
});

test('status changes the engine reports are persisted in the store and shown by Get', async (t) => {
  const h = await startHarness();
  t.after(() => h.close());
  const k = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-a', EventSourceArn: KINESIS_ARN('status'), StartingPosition: 'LATEST' }));
  await settled(h, k.UUID!, 'Enabled');
  h.engine.setStatus(mappingUuid(k.UUID!), { state: 'Enabled', stateTransitionReason: 'User action', lastProcessingResult: 'OK' });
  await waitFor(async () => (await h.store.mappings.get(mappingUuid(k.UUID!)))?.lastProcessingResult === 'OK', { message: 'OK persisted' });
  assert.equal((await h.client.send(new GetEventSourceMappingCommand({ UUID: k.UUID }))).LastProcessingResult, 'OK');
});

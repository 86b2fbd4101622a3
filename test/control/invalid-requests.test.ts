/**
 * A table of invalid requests sent through the real AWS SDK; each asserts AWS's exception class
 * (err.name), message and HTTP status.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type UpdateEventSourceMappingCommandInput,
} from '@aws-sdk/client-lambda';
import { startHarness, SQS_ARN, KINESIS_ARN, DDB_ARN, MSK_ARN, MQ_ARN, ACCOUNT, type Harness } from './harness.js';
import { waitFor } from '../support/wait.js';

const V1 = '1 validation error detected: ';
const c = (path: string, value: string, constraint: string): string => `${V1}Value ${value} at '${path}' failed to satisfy constraint: ${constraint}`;
const ge = (n: number): string => `Member must have value greater than or equal to ${n}`;
const le = (n: number): string => `Member must have value less than or equal to ${n}`;
const IPV = 'InvalidParameterValueException';
const VE = 'ValidationException';
const unsupported = (p: string): string => `Unsupported ${p} parameter for given event source mapping type.`;

const sqs = (over: Partial<CreateEventSourceMappingCommandInput> = {}): CreateEventSourceMappingCommandInput => ({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('q-invalid'), ...over });
const kin = (over: Partial<CreateEventSourceMappingCommandInput> = {}): CreateEventSourceMappingCommandInput => ({ FunctionName: 'fn-a', EventSourceArn: KINESIS_ARN('s-invalid'), StartingPosition: 'LATEST', ...over });
const ddb = (over: Partial<CreateEventSourceMappingCommandInput> = {}): CreateEventSourceMappingCommandInput => ({ FunctionName: 'fn-a', EventSourceArn: DDB_ARN('T'), StartingPosition: 'LATEST', ...over });
const kafka = (over: Partial<CreateEventSourceMappingCommandInput> = {}): CreateEventSourceMappingCommandInput => ({
  FunctionName: 'fn-a',
  SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['127.0.0.1:9092'] } },
  Topics: ['orders'],
  StartingPosition: 'TRIM_HORIZON',
  ...over,
});
const mq = (over: Partial<CreateEventSourceMappingCommandInput> = {}): CreateEventSourceMappingCommandInput => ({ FunctionName: 'fn-a', EventSourceArn: MQ_ARN, Queues: ['jobs'], ...over });
const longPattern = `{"body":{"a":["${'x'.repeat(4100)}"]}}`;
const future = new Date(Date.now() + 3_600_000);

type Case =
  | { name: string; create: CreateEventSourceMappingCommandInput; err: string; msg: string; status?: number }
  | { name: string; update: 'sqs' | 'kinesis' | 'missing'; input: Omit<UpdateEventSourceMappingCommandInput, 'UUID'>; err: string; msg: string; status?: number };

const cases: Case[] = [
  // Model constraints: ValidationException with AWS's "N validation error(s) detected" text.
  { name: 'BatchSize 0', create: sqs({ BatchSize: 0 }), err: VE, msg: c('batchSize', "'0'", ge(1)) },
  { name: 'BatchSize -1', create: sqs({ BatchSize: -1 }), err: VE, msg: c('batchSize', "'-1'", ge(1)) },
  { name: 'BatchSize 10001', create: sqs({ BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 }), err: VE, msg: c('batchSize', "'10001'", le(10000)) },
  { name: 'window -1', create: sqs({ MaximumBatchingWindowInSeconds: -1 }), err: VE, msg: c('maximumBatchingWindowInSeconds', "'-1'", ge(0)) },
  { name: 'window 301', create: sqs({ MaximumBatchingWindowInSeconds: 301 }), err: VE, msg: c('maximumBatchingWindowInSeconds', "'301'", le(300)) },
  { name: 'ParallelizationFactor 0', create: kin({ ParallelizationFactor: 0 }), err: VE, msg: c('parallelizationFactor', "'0'", ge(1)) },
  { name: 'ParallelizationFactor 11', create: kin({ ParallelizationFactor: 11 }), err: VE, msg: c('parallelizationFactor', "'11'", le(10)) },
  { name: 'MaximumRecordAgeInSeconds -2', create: kin({ MaximumRecordAgeInSeconds: -2 }), err: VE, msg: c('maximumRecordAgeInSeconds', "'-2'", ge(-1)) },
  { name: 'MaximumRecordAgeInSeconds 604801', create: kin({ MaximumRecordAgeInSeconds: 604801 }), err: VE, msg: c('maximumRecordAgeInSeconds', "'604801'", le(604800)) },
  { name: 'MaximumRetryAttempts -2', create: kin({ MaximumRetryAttempts: -2 }), err: VE, msg: c('maximumRetryAttempts', "'-2'", ge(-1)) },
  { name: 'MaximumRetryAttempts 10001', create: kin({ MaximumRetryAttempts: 10001 }), err: VE, msg: c('maximumRetryAttempts', "'10001'", le(10000)) },
  { name: 'TumblingWindowInSeconds -1', create: kin({ TumblingWindowInSeconds: -1 }), err: VE, msg: c('tumblingWindowInSeconds', "'-1'", ge(0)) },
  { name: 'TumblingWindowInSeconds 901', create: kin({ TumblingWindowInSeconds: 901 }), err: VE, msg: c('tumblingWindowInSeconds', "'901'", le(900)) },
  { name: 'StartingPosition not in the enum', create: kin({ StartingPosition: 'BEGINNING' as 'LATEST' }), err: VE, msg: c('startingPosition', "'BEGINNING'", 'Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]') },
  { name: 'FunctionResponseTypes unknown value', create: sqs({ FunctionResponseTypes: ['Foo' as 'ReportBatchItemFailures'] }), err: VE, msg: c('functionResponseTypes', "'[Foo]'", 'Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]') },
  { name: 'FunctionResponseTypes two values', create: sqs({ FunctionResponseTypes: ['ReportBatchItemFailures', 'ReportBatchItemFailures'] }), err: VE, msg: c('functionResponseTypes', "'[ReportBatchItemFailures, ReportBatchItemFailures]'", 'Member must have length less than or equal to 1') },
  { name: 'MaximumConcurrency 1', create: sqs({ ScalingConfig: { MaximumConcurrency: 1 } }), err: VE, msg: c('scalingConfig.maximumConcurrency', "'1'", ge(2)) },
  { name: 'MaximumConcurrency 1001', create: sqs({ ScalingConfig: { MaximumConcurrency: 1001 } }), err: VE, msg: c('scalingConfig.maximumConcurrency', "'1001'", le(1000)) },
  {
    name: 'two model errors at once',
    create: sqs({ BatchSize: 0, MaximumBatchingWindowInSeconds: 301 }),
    err: VE,
    msg: "2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
  },
  { name: 'FunctionName empty', create: sqs({ FunctionName: '' }), err: VE, msg: c('functionName', "''", 'Member must have length greater than or equal to 1') },
  { name: 'FunctionName 141 characters', create: sqs({ FunctionName: 'f'.repeat(141) }), err: VE, msg: c('functionName', `'${'f'.repeat(141)}'`, 'Member must have length less than or equal to 140') },
  {
    name: 'FunctionName with spaces',
    create: sqs({ FunctionName: 'bad name!' }),
    err: VE,
    msg: c('functionName', "'bad name!'", 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?'),
  },
  {
    name: 'EventSourceArn not an ARN',
    create: sqs({ EventSourceArn: 'not-an-arn-at-all' }),
    err: VE,
    msg: c('eventSourceArn', "'not-an-arn-at-all'", 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)'),
  },
  { name: 'Topics with two entries', create: kafka({ Topics: ['aa', 'bb'] }), err: VE, msg: c('topics', "'[aa, bb]'", 'Member must have length less than or equal to 1') },
  { name: 'Topics member of one character (AWS pattern needs two)', create: kafka({ Topics: ['t'] }), err: VE, msg: c('topics.1.member', "'t'", 'Member must satisfy regular expression pattern: ^[^.]([a-zA-Z0-9\\-_.]+)') },
  { name: 'Queues with two entries', create: mq({ Queues: ['a', 'b'] }), err: VE, msg: c('queues', "'[a, b]'", 'Member must have length less than or equal to 1') },
  { name: 'FilterCriteria pattern over 4096 characters', create: sqs({ FilterCriteria: { Filters: [{ Pattern: longPattern }] } }), err: VE, msg: c('filterCriteria.filters.1.member.pattern', `'${longPattern}'`, 'Member must have length less than or equal to 4096') },
  {
    name: 'SourceAccessConfigurations unknown Type',
    create: kafka({ SourceAccessConfigurations: [{ Type: 'PASSWORD' as 'BASIC_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' }] }),
    err: VE,
    msg: c('sourceAccessConfigurations.1.member.type', "'PASSWORD'", 'Member must satisfy enum value set: [BASIC_AUTH, VPC_SUBNET, VPC_SECURITY_GROUP, SASL_SCRAM_512_AUTH, SASL_SCRAM_256_AUTH, VIRTUAL_HOST, CLIENT_CERTIFICATE_TLS_AUTH, SERVER_ROOT_CA_CERTIFICATE]'),
  },
  // Sources.
  { name: 'no EventSourceArn', create: { FunctionName: 'fn-a' }, err: IPV, msg: 'Unrecognized event source.' },
  { name: 'S3 bucket ARN', create: sqs({ EventSourceArn: 'arn:aws:s3:::bucket' }), err: IPV, msg: 'Unrecognized event source.' },
  { name: 'DynamoDB table ARN without stream', create: ddb({ EventSourceArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/T` }), err: IPV, msg: 'Unrecognized event source.' },
  { name: 'both EventSourceArn and SelfManagedEventSource', create: kafka({ EventSourceArn: MSK_ARN }), err: IPV, msg: 'Unrecognized event source.' },
  // Function.
  { name: 'unknown function', create: sqs({ FunctionName: 'nope' }), err: IPV, msg: 'Function does not exist' },
  { name: 'function ARN of another account', create: sqs({ FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:fn-a' }), err: IPV, msg: 'Function does not exist' },
  { name: 'function ARN of another region', create: sqs({ FunctionName: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:fn-a` }), err: IPV, msg: 'Function does not exist' },
  // Starting position.
  { name: 'SQS with StartingPosition', create: sqs({ StartingPosition: 'LATEST' }), err: IPV, msg: 'StartingPosition is not valid for SQS event sources.' },
  { name: 'SQS with StartingPositionTimestamp', create: sqs({ StartingPositionTimestamp: new Date(1_600_000_000_000) }), err: IPV, msg: 'StartingPosition is not valid for SQS event sources.' },
  { name: 'MQ with StartingPosition', create: mq({ StartingPosition: 'LATEST' }), err: IPV, msg: 'StartingPosition is not valid for MQ event sources.' },
  { name: 'Kinesis without StartingPosition', create: kin({ StartingPosition: undefined }), err: IPV, msg: "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null." },
  { name: 'DynamoDB without StartingPosition', create: ddb({ StartingPosition: undefined }), err: IPV, msg: "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null." },
  { name: 'Kafka without StartingPosition', create: kafka({ StartingPosition: undefined }), err: IPV, msg: "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null." },
  { name: 'DynamoDB AT_TIMESTAMP', create: ddb({ StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: new Date(1_600_000_000_000) }), err: IPV, msg: `Unsupported starting position for arn type: ${DDB_ARN('T')}` },
  { name: 'timestamp with LATEST', create: kin({ StartingPositionTimestamp: new Date(1_600_000_000_000) }), err: IPV, msg: 'Timestamp only valid with StartingPosition AT_TIMESTAMP' },
  { name: 'AT_TIMESTAMP without timestamp', create: kin({ StartingPosition: 'AT_TIMESTAMP' }), err: IPV, msg: 'StartingPositionTimestamp must be specified when StartingPosition is AT_TIMESTAMP' },
  { name: 'AT_TIMESTAMP in the future', create: kin({ StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: future }), err: IPV, msg: 'StartingPositionTimestamp cannot be in the future' },
  // Members that do not apply to the source.
  { name: 'SQS ParallelizationFactor', create: sqs({ ParallelizationFactor: 2 }), err: IPV, msg: unsupported('ParallelizationFactor') },
  { name: 'SQS TumblingWindowInSeconds', create: sqs({ TumblingWindowInSeconds: 60 }), err: IPV, msg: unsupported('TumblingWindowInSeconds') },
  { name: 'SQS MaximumRecordAgeInSeconds', create: sqs({ MaximumRecordAgeInSeconds: 60 }), err: IPV, msg: unsupported('MaximumRecordAgeInSeconds') },
  { name: 'SQS MaximumRetryAttempts', create: sqs({ MaximumRetryAttempts: 1 }), err: IPV, msg: unsupported('MaximumRetryAttempts') },
  { name: 'SQS BisectBatchOnFunctionError', create: sqs({ BisectBatchOnFunctionError: true }), err: IPV, msg: unsupported('BisectBatchOnFunctionError') },
  { name: 'SQS OnFailure destination', create: sqs({ DestinationConfig: { OnFailure: { Destination: SQS_ARN('dlq') } } }), err: IPV, msg: unsupported('DestinationConfig') },
  { name: 'OnSuccess destination', create: kin({ DestinationConfig: { OnSuccess: { Destination: SQS_ARN('ok') } } }), err: IPV, msg: unsupported('DestinationConfig') },
  { name: 'Kinesis ScalingConfig', create: kin({ ScalingConfig: { MaximumConcurrency: 5 } }), err: IPV, msg: unsupported('ScalingConfig') },
  { name: 'Kinesis Topics', create: kin({ Topics: ['orders'] }), err: IPV, msg: unsupported('Topics') },
  { name: 'Kinesis Queues', create: kin({ Queues: ['q'] }), err: IPV, msg: unsupported('Queues') },
  { name: 'SQS SourceAccessConfigurations', create: sqs({ SourceAccessConfigurations: [{ Type: 'BASIC_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' }] }), err: IPV, msg: unsupported('SourceAccessConfigurations') },
  { name: 'SQS SelfManagedKafkaEventSourceConfig', create: sqs({ SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } }), err: IPV, msg: unsupported('SelfManagedKafkaEventSourceConfig') },
  { name: 'MSK with SelfManagedKafkaEventSourceConfig', create: { FunctionName: 'fn-a', EventSourceArn: MSK_ARN, Topics: ['orders'], StartingPosition: 'LATEST', SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } }, err: IPV, msg: unsupported('SelfManagedKafkaEventSourceConfig') },
  { name: 'MQ FunctionResponseTypes', create: mq({ FunctionResponseTypes: ['ReportBatchItemFailures'] }), err: IPV, msg: unsupported('FunctionResponseTypes') },
  { name: 'MQ ParallelizationFactor', create: mq({ ParallelizationFactor: 2 }), err: IPV, msg: unsupported('ParallelizationFactor') },
  { name: 'DynamoDB Topics', create: ddb({ Topics: ['orders'] }), err: IPV, msg: unsupported('Topics') },
  // Cross-member rules.
  { name: 'record age 0', create: kin({ MaximumRecordAgeInSeconds: 0 }), err: IPV, msg: 'MaximumRecordAgeInSeconds must be -1 or between 60 and 604800' },
  { name: 'record age 59', create: kin({ MaximumRecordAgeInSeconds: 59 }), err: IPV, msg: 'MaximumRecordAgeInSeconds must be -1 or between 60 and 604800' },
  { name: 'SQS BatchSize 11 without window', create: sqs({ BatchSize: 11 }), err: IPV, msg: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10' },
  { name: 'SQS BatchSize 100 with window 0', create: sqs({ BatchSize: 100, MaximumBatchingWindowInSeconds: 0 }), err: IPV, msg: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10' },
  { name: 'FIFO BatchSize 11', create: sqs({ EventSourceArn: SQS_ARN('q.fifo'), BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }), err: IPV, msg: 'Batch size for FIFO queues must be between 1 and 10' },
  { name: 'FIFO batching window', create: sqs({ EventSourceArn: SQS_ARN('q.fifo'), MaximumBatchingWindowInSeconds: 1 }), err: IPV, msg: 'Batching window is not supported for FIFO queues' },
  { name: 'Kafka without Topics', create: kafka({ Topics: undefined }), err: IPV, msg: "1 validation error detected: Value null at 'topics' failed to satisfy constraint: Member must not be null." },
  { name: 'MQ without Queues', create: mq({ Queues: undefined }), err: IPV, msg: "1 validation error detected: Value null at 'queues' failed to satisfy constraint: Member must not be null." },
  { name: 'Kafka bootstrap server without port', create: kafka({ SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['localhost'] } } }), err: IPV, msg: 'Invalid SelfManagedEventSource Endpoints. KAFKA_BOOTSTRAP_SERVERS must be a list of host:port' },
  {
    name: 'OnFailure destination that is not SQS/SNS/S3',
    create: kin({ DestinationConfig: { OnFailure: { Destination: 'arn:aws:lambda:us-east-1:123456789012:function:fn-b' } } }),
    err: IPV,
    msg: 'The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=arn:aws:lambda:us-east-1:123456789012:function:fn-b)) is invalid.',
  },
  { name: 'kafka:// destination on a stream', create: kin({ DestinationConfig: { OnFailure: { Destination: 'kafka://dlq' } } }), err: IPV, msg: 'The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=kafka://dlq)) is invalid.' },
  // Filters.
  { name: 'filter pattern not JSON', create: sqs({ FilterCriteria: { Filters: [{ Pattern: '{body' }] } }), err: IPV, msg: 'Invalid filter pattern definition.' },
  { name: 'filter pattern is an array', create: sqs({ FilterCriteria: { Filters: [{ Pattern: '[1]' }] } }), err: IPV, msg: 'Invalid filter pattern definition.' },
  { name: 'filter value not an array', create: sqs({ FilterCriteria: { Filters: [{ Pattern: '{"body":"x"}' }] } }), err: IPV, msg: 'Invalid filter pattern definition.' },
  { name: 'six filters', create: sqs({ FilterCriteria: { Filters: Array.from({ length: 6 }, (_, i) => ({ Pattern: `{"body":{"n":[${i}]}}` })) } }), err: IPV, msg: 'Invalid filter pattern definition.' },
  // Updates.
  { name: 'update of an unknown UUID', update: 'missing', input: { BatchSize: 5 }, err: 'ResourceNotFoundException', msg: 'The resource you requested does not exist.', status: 404 },
  { name: 'update SQS BatchSize 50 keeping window 0', update: 'sqs', input: { BatchSize: 50 }, err: IPV, msg: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10' },
  { name: 'update Kinesis ParallelizationFactor 11', update: 'kinesis', input: { ParallelizationFactor: 11 }, err: VE, msg: c('parallelizationFactor', "'11'", le(10)) },
  { name: 'update SQS ParallelizationFactor', update: 'sqs', input: { ParallelizationFactor: 2 }, err: IPV, msg: unsupported('ParallelizationFactor') },
  { name: 'update Kinesis record age 30', update: 'kinesis', input: { MaximumRecordAgeInSeconds: 30 }, err: IPV, msg: 'MaximumRecordAgeInSeconds must be -1 or between 60 and 604800' },
  { name: 'update to an unknown function', update: 'sqs', input: { FunctionName: 'nope' }, err: IPV, msg: 'Function does not exist' },
  { name: 'update with an invalid filter', update: 'kinesis', input: { FilterCriteria: { Filters: [{ Pattern: 'nope' }] } }, err: IPV, msg: 'Invalid filter pattern definition.' },
  { name: 'update OnSuccess', update: 'kinesis', input: { DestinationConfig: { OnSuccess: { Destination: SQS_ARN('x') } } }, err: IPV, msg: unsupported('DestinationConfig') },
];

let h: Harness;
const uuids: Record<'sqs' | 'kinesis', string> = { sqs: '', kinesis: '' };
before(async () => {
  h = await startHarness();
  const a = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-b', EventSourceArn: SQS_ARN('upd-q') }));
  const b = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn-b', EventSourceArn: KINESIS_ARN('upd-s'), StartingPosition: 'TRIM_HORIZON' }));
  uuids.sqs = a.UUID!;
  uuids.kinesis = b.UUID!;
  for (const u of [a.UUID!, b.UUID!]) {
    await waitFor(async () => (await h.client.send(new GetEventSourceMappingCommand({ UUID: u }))).State === 'Enabled');
  }
});
after(() => h.close());

test(`the table has at least 60 invalid requests (${cases.length})`, () => {
  assert.ok(cases.length >= 60);
});

for (const tc of cases) {
  test(`rejects: ${tc.name}`, async () => {
    const cmd =
      'create' in tc
        ? new CreateEventSourceMappingCommand(tc.create)
        : new UpdateEventSourceMappingCommand({ ...tc.input, UUID: tc.update === 'missing' ? '00000000-0000-0000-0000-000000000000' : uuids[tc.update] });
    const err = await h.client.send(cmd as CreateEventSourceMappingCommand).then(
      () => assert.fail('request was accepted'),
      (e: unknown) => e as { name: string; message: string; $metadata?: { httpStatusCode?: number } },
    );
    assert.equal(err.name, tc.err);
    assert.equal(err.message, tc.msg);
    assert.equal(err.$metadata?.httpStatusCode, tc.status ?? 400);
  });
}

test('nothing invalid was stored: only the two update targets exist, unchanged', async () => {
  const list = await h.client.send(new ListEventSourceMappingsCommand({}));
  assert.equal(list.EventSourceMappings?.length, 2);
  const sqsNow = await h.client.send(new GetEventSourceMappingCommand({ UUID: uuids.sqs }));
  assert.equal(sqsNow.BatchSize, 10);
  assert.equal(sqsNow.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn-b`);
});

test('Get and Delete of an unknown UUID, and MaxItems 0, are rejected like AWS', async () => {
  const get = await h.client.send(new GetEventSourceMappingCommand({ UUID: 'nope' })).catch((e: Error) => e);
  assert.equal((get as Error).name, 'ResourceNotFoundException');
  assert.equal((get as Error).message, 'The resource you requested does not exist.');
  const del = await h.client.send(new DeleteEventSourceMappingCommand({ UUID: 'nope' })).catch((e: Error) => e);
  assert.equal((del as Error).name, 'ResourceNotFoundException');
  const list = await h.client.send(new ListEventSourceMappingsCommand({ MaxItems: 0 })).catch((e: Error) => e);
  assert.equal((list as Error).name, 'ValidationException');
  assert.equal((list as Error).message, c('maxItems', "'0'", ge(1)));
});

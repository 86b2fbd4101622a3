/**
 * The JSON schema of the config file. Every node carries an `allowed` text (a custom annotation
 * keyword) that becomes the "expected ..." part of a problem message. Unknown keys are errors
 * everywhere (`additionalProperties: false`).
 */
type Node = Record<string, unknown>;

const int = (min: number, max: number, extra = ''): Node => ({
  type: 'integer',
  minimum: min,
  maximum: max,
  allowed: `an integer ${min}..${max}${extra}`,
});
const str = (allowed: string): Node => ({ type: 'string', minLength: 1, allowed });
const bool: Node = { type: 'boolean', allowed: 'true or false' };
const url = (what: string): Node => ({ type: 'string', pattern: '^https?://[^\\s]+$', allowed: `an http:// or https:// URL of ${what}` });
const obj = (properties: Record<string, Node>, allowed: string, required: string[] = []): Node => ({
  type: 'object',
  properties,
  additionalProperties: false,
  ...(required.length ? { required } : {}),
  allowed,
});
const port: Node = int(0, 65535, ' (0 picks a free port)');
const stringMap = (allowed: string): Node => ({ type: 'object', additionalProperties: { type: 'string', allowed: 'a string' }, allowed });
const list = (items: Node, allowed: string, max?: number): Node => ({ type: 'array', items, ...(max ? { maxItems: max } : {}), allowed });

const accessKey = obj(
  { accessKeyId: str('a non-empty string'), secretAccessKey: str('a non-empty string') },
  'an object { accessKeyId, secretAccessKey }',
  ['accessKeyId', 'secretAccessKey'],
);

const server = obj(
  {
    host: str('a host name or IP address to listen on'),
    port,
    auth: obj(
      { bearerToken: str('a non-empty string'), accessKeys: list(accessKey, 'a list of { accessKeyId, secretAccessKey }') },
      'an object with bearerToken and/or accessKeys',
    ),
  },
  'an object with host, port, auth',
);

const state: Node = {
  ...obj(
    { sqlite: str('a file path (relative to the config file) or :memory:'), postgres: { type: 'string', pattern: '^postgres(ql)?://', allowed: 'a postgres:// connection URL' } },
    'exactly one of { sqlite: <path> } or { postgres: <url> }',
  ),
  minProperties: 1,
  maxProperties: 1,
};

const endpointNames = ['sqs', 'kinesis', 'dynamodbstreams', 'sns', 's3', 'lambda'] as const;
const aws = obj(
  {
    region: { type: 'string', pattern: '^[a-z0-9-]+$', allowed: 'an AWS region name such as us-east-1' },
    accountId: { type: 'string', pattern: '^\\d{12}$', allowed: 'a 12-digit AWS account id' },
    endpoints: obj(Object.fromEntries(endpointNames.map((n) => [n, url(`the ${n} API`)])), `an object with any of ${endpointNames.join(', ')}`),
    credentials: obj(
      { accessKeyId: str('a non-empty string'), secretAccessKey: str('a non-empty string'), sessionToken: str('a non-empty string') },
      'an object { accessKeyId, secretAccessKey, sessionToken? }',
      ['accessKeyId', 'secretAccessKey'],
    ),
    kafkaClusters: {
      type: 'object',
      propertyNames: { pattern: '^arn:aws[a-z-]*:kafka:', allowed: 'an MSK cluster ARN' },
      additionalProperties: list(
        { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$', allowed: 'host:port' },
        'a non-empty list of host:port bootstrap servers',
      ),
      allowed: 'an object mapping MSK cluster ARNs to lists of host:port',
    },
  },
  'an object with region, accountId, endpoints, credentials, kafkaClusters',
);

const functionEntry = obj(
  {
    handler: { type: 'string', pattern: '^[^#]+(#[A-Za-z_$][\\w$]*)?$', allowed: 'a module path and export name, e.g. ./handlers/echo.mjs#handler' },
    lambda: obj(
      {
        endpoint: url('the Lambda Invoke API'),
        functionName: str('the function name to invoke'),
        qualifier: str('a version or alias'),
        region: str('an AWS region name'),
      },
      'an object { endpoint, functionName, qualifier?, region? }',
      ['endpoint', 'functionName'],
    ),
    timeoutSeconds: int(1, 900),
    concurrency: int(1, 1000),
    environment: stringMap('an object of environment variable names to string values'),
    memorySizeMb: int(128, 10240),
  },
  'an object with handler or lambda, timeoutSeconds, concurrency, environment, memorySizeMb',
);

const functions: Node = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z0-9_-]{1,64}$', allowed: 'a function name: 1-64 letters, digits, - or _' },
  additionalProperties: functionEntry,
  allowed: 'an object mapping function names to { handler } or { lambda } entries',
};

/** CreateEventSourceMapping request parameters, with their wire types. Values are checked by the mapping validator. */
const anyObj = (allowed: string): Node => ({ type: 'object', allowed });
const mappingParams: Record<string, Node> = {
  UUID: { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', allowed: 'a UUID that identifies this config-managed mapping across restarts' },
  FunctionName: str('the name of a function in the functions section'),
  EventSourceArn: str('an event source ARN'),
  Enabled: bool,
  BatchSize: int(1, 10000),
  MaximumBatchingWindowInSeconds: int(0, 300),
  ParallelizationFactor: int(1, 10),
  StartingPosition: { enum: ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'], allowed: 'TRIM_HORIZON, LATEST or AT_TIMESTAMP' },
  StartingPositionTimestamp: { type: ['number', 'string'], allowed: 'epoch seconds or an ISO-8601 time' },
  MaximumRecordAgeInSeconds: int(-1, 604800),
  MaximumRetryAttempts: int(-1, 10000),
  BisectBatchOnFunctionError: bool,
  TumblingWindowInSeconds: int(0, 900),
  FunctionResponseTypes: list({ enum: ['ReportBatchItemFailures'], allowed: 'ReportBatchItemFailures' }, 'a list with at most ReportBatchItemFailures', 1),
  ScalingConfig: anyObj('an object { MaximumConcurrency }'),
  FilterCriteria: anyObj('an object { Filters: [{ Pattern }] }'),
  DestinationConfig: anyObj('an object { OnFailure: { Destination } }'),
  Topics: list({ type: 'string', allowed: 'a topic name' }, 'a list with one topic name', 1),
  Queues: list({ type: 'string', allowed: 'a queue name' }, 'a list with one queue name', 1),
  SelfManagedEventSource: anyObj('an object { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [host:port, ...] } }'),
  SourceAccessConfigurations: list(anyObj('an object { Type, URI }'), 'a list of { Type, URI }', 22),
  SelfManagedKafkaEventSourceConfig: anyObj('an object { ConsumerGroupId }'),
  AmazonManagedKafkaEventSourceConfig: anyObj('an object { ConsumerGroupId }'),
  MetricsConfig: anyObj('an object { Metrics: ["EventCount"] }'),
  Tags: stringMap('an object of tag names to string values'),
};
const mapping = obj(mappingParams, 'an object of CreateEventSourceMapping parameters (AWS PascalCase names)', ['FunctionName']);

export const CONFIG_SCHEMA: Node = obj(
  {
    server,
    state,
    aws,
    functions,
    mappings: list(mapping, 'a list of CreateEventSourceMapping parameter objects'),
    embedded: obj(
      {
        enabled: bool,
        sqs: obj({ port }, 'an object { port }'),
        kinesis: obj({ port }, 'an object { port }'),
        demo: obj({ enabled: bool, recordsPerSecond: int(1, 1000) }, 'an object { enabled, recordsPerSecond }'),
      },
      'an object with enabled, sqs, kinesis, demo',
    ),
    logging: obj({ level: { enum: ['debug', 'info', 'warn', 'error'], allowed: 'one of debug, info, warn, error' } }, 'an object { level }'),
    progress: obj({ enabled: bool, intervalSeconds: int(1, 3600) }, 'an object { enabled, intervalSeconds }'),
    shutdown: obj({ drainTimeoutSeconds: int(0, 900) }, 'an object { drainTimeoutSeconds }'),
  },
  'a YAML mapping with the sections server, state, aws, functions, mappings, embedded, logging, progress, shutdown',
);

/** Keys the mapping validator accepts (used to tell typos from parameters). */
export const MAPPING_PARAMETERS: readonly string[] = Object.keys(mappingParams);

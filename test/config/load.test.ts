import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig, resolveConfigPath } from '../../src/config/index.js';
import { ApiError, ConfigError, formatProblem } from '../../src/core/errors.js';

let dir: string;
let file: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  mkdirSync(join(dir, 'handlers'));
  writeFileSync(join(dir, 'handlers', 'echo.mjs'), 'export const handler = async (e) => e;\n');
  file = join(dir, 'sluice.yaml');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Parses `text` as if it were `file`, returning the problem messages (or [] when valid). */
function messages(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, file, { env });
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems.map(formatProblem);
  }
}

const MINIMAL = `
functions:
  echo: { handler: ./handlers/echo.mjs#handler }
mappings:
  - { FunctionName: echo, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders", BatchSize: 10 }
`;

describe('config: valid files', () => {
  test('a minimal file resolves with every default filled in and is frozen', () => {
    const cfg = parseConfig(MINIMAL, file, { env: {} });
    assert.equal(cfg.file, file);
    assert.deepEqual(cfg.server, { host: '127.0.0.1', port: 9070 });
    assert.deepEqual(cfg.state, { sqlite: join(dir, 'data', 'sluice.db') });
    assert.deepEqual(cfg.aws, { region: 'us-east-1', accountId: '000000000000', endpoints: {} });
    assert.deepEqual(cfg.functions, [
      {
        kind: 'handler',
        name: 'echo',
        modulePath: join(dir, 'handlers', 'echo.mjs'),
        exportName: 'handler',
        timeoutSeconds: 3,
        concurrency: 10,
        environment: {},
        memorySizeMb: 128,
      },
    ]);
    assert.deepEqual(cfg.mappings, [{ FunctionName: 'echo', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:orders', BatchSize: 10 }]);
    assert.deepEqual(cfg.embedded, { enabled: false, sqs: { port: 9324 }, kinesis: { port: 4567 }, demo: { enabled: true, recordsPerSecond: 50 } });
    assert.deepEqual(cfg.logging, { level: 'info' });
    assert.deepEqual(cfg.progress, { enabled: true, intervalSeconds: 1 });
    assert.deepEqual(cfg.shutdown, { drainTimeoutSeconds: 30 });
    assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.functions[0]) && Object.isFrozen(cfg.mappings[0]));
  });

  test('an empty file is a valid config with no functions or mappings', () => {
    const cfg = parseConfig('', file, { env: {} });
    assert.deepEqual(cfg.functions, []);
    assert.deepEqual(cfg.mappings, []);
  });

  test('every section as written, remote lambda functions, postgres state, env log level', () => {
    const cfg = parseConfig(
      `
server: { host: 0.0.0.0, port: 0, auth: { bearerToken: s3cret } }
state: { postgres: "postgres://127.0.0.1:5432/test" }
aws:
  region: eu-west-1
  accountId: "123456789012"
  endpoints: { kinesis: "http://127.0.0.1:4567", lambda: "http://127.0.0.1:9001" }
  credentials: { accessKeyId: a, secretAccessKey: b }
  kafkaClusters: { "arn:aws:kafka:eu-west-1:123456789012:cluster/c/1": ["127.0.0.1:9092"] }
functions:
  echo: { handler: ./handlers/echo.mjs, timeoutSeconds: 30, concurrency: 4, environment: { A: "1" }, memorySizeMb: 256 }
  remote: { lambda: { endpoint: "http://127.0.0.1:9001/", functionName: my-function, qualifier: live } }
logging: { level: warn }
progress: { enabled: false, intervalSeconds: 5 }
shutdown: { drainTimeoutSeconds: 0 }
`,
      file,
      { env: { SLUICE_LOG_LEVEL: 'debug' } },
    );
    assert.deepEqual(cfg.server, { host: '0.0.0.0', port: 0, auth: { bearerToken: 's3cret', accessKeys: [] } });
    assert.deepEqual(cfg.state, { postgres: 'postgres://127.0.0.1:5432/test' });
    assert.equal(cfg.aws.region, 'eu-west-1');
    assert.deepEqual(cfg.aws.kafkaClusters, { 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1': ['127.0.0.1:9092'] });
    assert.deepEqual(cfg.functions[1], {
      kind: 'lambda',
      name: 'remote',
      endpoint: 'http://127.0.0.1:9001',
      functionName: 'my-function',
      qualifier: 'live',
      timeoutSeconds: 900,
      concurrency: 10,
      region: 'eu-west-1',
    });
    assert.equal(cfg.functions[0]?.kind === 'handler' && cfg.functions[0].exportName, 'handler');
    assert.equal(cfg.logging.level, 'debug');
    assert.deepEqual(cfg.progress, { enabled: false, intervalSeconds: 5 });
    assert.equal(cfg.shutdown.drainTimeoutSeconds, 0);
  });

  test('the config path: --config wins over SLUICE_CONFIG, which wins over config/sluice.yaml', () => {
    assert.equal(resolveConfigPath({ cwd: '/srv', env: {} }), '/srv/config/sluice.yaml');
    assert.equal(resolveConfigPath({ cwd: '/srv', env: { SLUICE_CONFIG: 'a.yaml' } }), '/srv/a.yaml');
    assert.equal(resolveConfigPath({ cwd: '/srv', env: { SLUICE_CONFIG: 'a.yaml' }, path: '/etc/b.yaml' }), '/etc/b.yaml');
  });

  test('the shipped config/sluice.yaml and every example are valid', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    for (const p of ['config/sluice.yaml', 'config/examples/remote-lambda.yaml', 'config/examples/kafka.yaml', 'config/examples/dynamodb.yaml', 'config/examples/postgres.yaml']) {
      assert.doesNotThrow(() => loadConfig({ path: join(root, p), env: {} }), p);
    }
    // The Docker image's config names /app paths: check it with the repository standing in for /app.
    const docker = readFileSync(join(root, 'config/docker/sluice.yaml'), 'utf8').replaceAll('/app/', root);
    assert.equal(parseConfig(docker, join(root, 'config/docker/sluice.yaml'), { env: {} }).functions[0]?.name, 'echo');
  });
});

describe('config: problems', () => {
  test('a value out of range names the file, key path, value and what is allowed', () => {
    assert.deepEqual(messages(`functions:\n  echo: { handler: ./handlers/echo.mjs#handler, timeoutSeconds: 901 }\n`), [
      `${file}: functions.echo.timeoutSeconds: 901 is not allowed; expected an integer 1..900`,
    ]);
  });

  test('unknown keys are errors, at any depth', () => {
    assert.deepEqual(messages(`servr: { port: 1 }\nserver: { hots: x }\n`), [
      `${file}: servr: {"port":1} is not allowed; expected no such key here (unknown key "servr"); allowed keys: server, state, aws, functions, mappings, embedded, logging, progress, shutdown`,
      `${file}: server.hots: "x" is not allowed; expected no such key here (unknown key "hots"); allowed keys: host, port, auth`,
    ]);
  });

  test('every problem is reported at once, one message per problem', () => {
    const msgs = messages(
      `
server: { port: 70000 }
state: { sqlite: a.db, postgres: "postgres://x/y" }
aws: { accountId: "42" }
mappings:
  - { FunctionName: echo, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q", BatchSize: 0, Batchsize: 5 }
logging: { level: loud }
`,
    );
    assert.deepEqual(msgs, [
      `${file}: server.port: 70000 is not allowed; expected an integer 0..65535 (0 picks a free port)`,
      `${file}: state: {"sqlite":"a.db","postgres":"postgres://x/y"} is not allowed; expected exactly one of { sqlite: <path> } or { postgres: <url> }`,
      `${file}: aws.accountId: "42" is not allowed; expected a 12-digit AWS account id`,
      `${file}: mappings[0].Batchsize: 5 is not allowed; expected no such key here (unknown key "Batchsize"); allowed keys: UUID, FunctionName, EventSourceArn, Enabled, BatchSize, MaximumBatchingWindowInSeconds, ParallelizationFactor, StartingPosition, StartingPositionTimestamp, MaximumRecordAgeInSeconds, MaximumRetryAttempts, BisectBatchOnFunctionError, TumblingWindowInSeconds, FunctionResponseTypes, ScalingConfig, FilterCriteria, DestinationConfig, Topics, Queues, SelfManagedEventSource, SourceAccessConfigurations, SelfManagedKafkaEventSourceConfig, AmazonManagedKafkaEventSourceConfig, MetricsConfig, Tags`,
      `${file}: mappings[0].BatchSize: 0 is not allowed; expected an integer 1..10000`,
      `${file}: logging.level: "loud" is not allowed; expected one of debug, info, warn, error`,
    ]);
  });

  test('a missing handler file is reported together with structural problems elsewhere', () => {
    assert.deepEqual(messages(`server: { port: x }\nfunctions:\n  gone: { handler: ./handlers/nope.mjs }\n  bad: { handler: ./handlers/nope.mjs, concurrency: 0 }\n`), [
      `${file}: server.port: "x" is not allowed; expected an integer 0..65535 (0 picks a free port)`,
      `${file}: functions.bad.concurrency: 0 is not allowed; expected an integer 1..1000`,
      `${file}: functions.gone.handler: "./handlers/nope.mjs" is not allowed; expected a module file that exists (looked for ${join(dir, 'handlers', 'nope.mjs')}; relative paths are resolved against ${dir})`,
    ]);
  });

  test('functions: a missing module file, both handler and lambda, a bad name', () => {
    assert.deepEqual(messages(`functions:\n  gone: { handler: ./handlers/nope.mjs#handler }\n  both: { handler: ./handlers/echo.mjs, lambda: { endpoint: "http://h:1", functionName: f } }\n`), [
      `${file}: functions.gone.handler: "./handlers/nope.mjs#handler" is not allowed; expected a module file that exists (looked for ${join(dir, 'handlers', 'nope.mjs')}; relative paths are resolved against ${dir})`,
      `${file}: functions.both: {"handler":"./handlers/echo.mjs","lambda":{"endpoint":"http://h:1","functionName":"f"}} is not allowed; expected exactly one of handler: <module>#<export> or lambda: { endpoint, functionName }`,
    ]);
    assert.deepEqual(messages(`functions:\n  "bad name": { handler: ./handlers/echo.mjs }\n`), [
      `${file}: functions["bad name"]: "bad name" is not allowed; expected a function name: 1-64 letters, digits, - or _ as the key`,
    ]);
  });

  test('mappings: the function must be configured and the source named', () => {
    assert.deepEqual(
      messages(`functions:\n  echo: { handler: ./handlers/echo.mjs }\nmappings:\n  - { FunctionName: other, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" }\n  - { FunctionName: echo }\n  - { FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo:live", EventSourceArn: "arn:aws:s3:::bucket" }\n  - {}\n`),
      [
        `${file}: mappings[3].FunctionName: undefined is not allowed; expected the name of a function in the functions section (required)`,
      ],
    );
    assert.deepEqual(
      messages(`functions:\n  echo: { handler: ./handlers/echo.mjs }\nmappings:\n  - { FunctionName: other, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" }\n  - { FunctionName: echo }\n  - { FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo:live", EventSourceArn: "arn:aws:s3:::bucket" }\n`),
      [
        `${file}: mappings[0].FunctionName: "other" is not allowed; expected the name of a function in the functions section (echo)`,
        `${file}: mappings[1].EventSourceArn: undefined is not allowed; expected exactly one of EventSourceArn or SelfManagedEventSource (self-managed Kafka)`,
        `${file}: mappings[2].EventSourceArn: "arn:aws:s3:::bucket" is not allowed; expected the ARN of an SQS queue, Kinesis stream, DynamoDB stream, MSK cluster or Amazon MQ broker`,
      ],
    );
  });

  test("mappings: the control plane's validator runs on entries that pass the basic checks", () => {
    let seen = 0;
    assert.throws(
      () =>
        parseConfig(MINIMAL.replace('BatchSize: 10', 'BatchSize: 20'), file, {
          env: {},
          checkMapping: (entry) => {
            seen++;
            if ((entry.BatchSize as number) > 10) {
              throw new ApiError('InvalidParameterValueException', 400, 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
            }
          },
        }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map(formatProblem), [
          `${file}: mappings[0]: {"FunctionName":"echo","EventSourceArn":"arn:aws:sqs:us-east-1:000000000000:orders","BatchSize":20} is not allowed; expected a valid CreateEventSourceMapping request (InvalidParameterValueException: Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10)`,
        ]);
        return true;
      },
    );
    assert.equal(seen, 1);
  });

  test("mappings: AWS's own validation messages, mapped onto the parameter they name", () => {
    const base = `functions:\n  echo: { handler: ./handlers/echo.mjs }\nmappings:\n`;
    assert.deepEqual(messages(base + `  - { FunctionName: echo, EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s" }\n`), [
      `${file}: mappings[0].StartingPosition: undefined is not allowed; expected a valid CreateEventSourceMapping request (InvalidParameterValueException: 1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.)`,
    ]);
    assert.deepEqual(
      messages(base + `  - { FunctionName: echo, EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s", StartingPosition: LATEST, MaximumRecordAgeInSeconds: 30 }\n`),
      [
        `${file}: mappings[0].MaximumRecordAgeInSeconds: 30 is not allowed; expected a valid CreateEventSourceMapping request (InvalidParameterValueException: MaximumRecordAgeInSeconds must be -1 or between 60 and 604800)`,
      ],
    );
    const dup = messages(base + `  - { FunctionName: echo, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" }\n  - { FunctionName: echo, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" }\n`);
    assert.equal(dup.length, 1);
    assert.match(dup[0] ?? '', /: mappings\[1\]: .* \(ResourceConflictException: An event source mapping with SQS arn/);
  });

  test('embedded mode owns the sqs and kinesis endpoints', () => {
    assert.deepEqual(messages(`embedded: { enabled: true }\naws: { endpoints: { sqs: "http://127.0.0.1:9324" } }\n`), [
      `${file}: aws.endpoints.sqs: "http://127.0.0.1:9324" is not allowed; expected no sqs endpoint while embedded.enabled is true (sluice points sqs at its embedded server)`,
    ]);
  });

  test('SLUICE_LOG_LEVEL is checked too', () => {
    assert.deepEqual(messages('', { SLUICE_LOG_LEVEL: 'verbose' }), [
      'environment: SLUICE_LOG_LEVEL: "verbose" is not allowed; expected one of debug, info, warn, error',
    ]);
  });

  test('YAML syntax errors give the line and column', () => {
    const msgs = messages('server:\n  host: 127.0.0.1\n  port: [9070\nstate: {}\n');
    assert.ok(msgs.length >= 1);
    assert.match(msgs[0] ?? '', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+, column \\d+: .* is not allowed; expected valid YAML \\(.+\\)$`));
    assert.deepEqual(messages('a: 1\na: 2\n').length, 1);
    assert.match(messages('a: 1\na: 2\n')[0] ?? '', /: line 2, column 1: "a: 2" is not allowed; expected valid YAML \(Map keys must be unique/);
  });

  test('a file that does not exist', () => {
    assert.throws(() => loadConfig({ path: join(dir, 'missing.yaml'), env: {} }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, `${join(dir, 'missing.yaml')}: (file): ${JSON.stringify(join(dir, 'missing.yaml'))} is not allowed; expected a readable YAML config file (ENOENT)`);
      return true;
    });
  });
});

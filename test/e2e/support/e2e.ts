/**
 * End-to-end helpers: temp dirs, the recorder handler's JSON-lines output, an in-process daemon
 * started from YAML through the real config loader, and SQS queue helpers.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../src/config/load.js';
import { startDaemon, type Daemon, type DaemonDeps } from '../../../src/daemon.js';
import { createJsonLogger, silentLogger } from '../../../src/observability/logger.js';
import { createSourceFactory } from '../../../src/sources/registry.js';
import { createSqsSource } from '../../../src/sources/sqs/sqs-source.js';
import type { SourceFactory } from '../../../src/sources/source.js';
import { waitFor } from '../../support/wait.js';

/** test/e2e/handlers/recorder.mjs in the source tree (this file runs from dist/test/e2e/support). */
export const RECORDER = fileURLToPath(new URL('../../../../test/e2e/handlers/recorder.mjs', import.meta.url));

/** Whether src/sources/registry.ts has a Kinesis poller (the lead wires it in): Kinesis tests skip until then. */
export function kinesisWired(): boolean {
  const src = readFileSync(fileURLToPath(new URL('../../../src/sources/registry.js', import.meta.url)), 'utf8');
  return /createKinesisSource/.test(src);
}

/** A private temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'sluice-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses a JSON-lines file; a missing file is empty, a torn last line (SIGKILL mid-write) is skipped. */
export function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A line cut by a SIGKILL: the record it described is reported again by the next run.
    }
  }
  return out;
}

/** The recorder's SQS line. */
export interface SqsLine {
  readonly t: number;
  readonly records: readonly Record<string, unknown>[];
  readonly failed: readonly string[];
  readonly threw: boolean;
}

/** Body `id`s of the records in SQS lines, each invoke counted (`processedOnly`: successful ones only). */
export function sqsIds(lines: readonly SqsLine[], processedOnly = false): string[] {
  const ids: string[] = [];
  for (const l of lines) {
    if (processedOnly && l.threw) continue;
    for (const r of l.records) {
      if (processedOnly && l.failed.includes(String(r['messageId']))) continue;
      ids.push(String((JSON.parse(String(r['body'])) as { id: unknown }).id));
    }
  }
  return ids;
}

/** Counts occurrences. */
export function counts(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/**
 * The real source factory, except that SQS sources long-poll 1 s instead of 20 s: local-aws-sqs
 * holds a poll open for the whole WaitTimeSeconds unless 10 messages are ready
 * (local-backends.md), which would only make the tests slow.
 */
export function testSourceFactory(extra: (base: SourceFactory) => SourceFactory = (b) => b): DaemonDeps['createSourceFactory'] {
  return (deps) => {
    const base = createSourceFactory(deps);
    const withSqs: SourceFactory = (spec) => (spec.sourceKind === 'sqs' ? createSqsSource(spec, { waitTimeSeconds: 1 }) : base(spec));
    return extra(withSqs);
  };
}

/** Writes `yaml` to `<dir>/<name>`, loads it with the real loader, starts the daemon in-process. */
export async function startDaemonFromYaml(
  dir: string,
  yaml: string,
  deps: Partial<DaemonDeps> = {},
  name = 'sluice.yaml',
): Promise<Daemon> {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  const config = loadConfig({ path: file, env: {} });
  const logger = process.env['E2E_DEBUG'] ? createJsonLogger({ level: 'debug' }) : silentLogger;
  return startDaemon(config, { logger, writeStdout: () => {}, createSourceFactory: testSourceFactory(), ...deps });
}

export { sqsTestClient as sqsClient } from '../../support/sqs-server.js';

/** Creates a queue; returns its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`no QueueUrl for ${name}`);
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = a.Attributes?.['QueueArn'];
  if (!arn) throw new Error(`no QueueArn for ${name}`);
  return { url: QueueUrl, arn };
}

/** ApproximateNumberOfMessages and ...NotVisible (and ...Delayed) of a queue. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<{ visible: number; notVisible: number; delayed: number }> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const attrs: Record<string, string | undefined> = a.Attributes ?? {};
  const n = (k: string): number => Number(attrs[k] ?? "NaN");
  return { visible: n('ApproximateNumberOfMessages'), notVisible: n('ApproximateNumberOfMessagesNotVisible'), delayed: n('ApproximateNumberOfMessagesDelayed') };
}

/** YAML for the recorder function `name` with export `exportName`, writing to `out` (`env`: more environment variables). */
export function recorderFunction(name: string, exportName: string, out: string, dir: string, env: Record<string, string> = {}): string {
  const environment = JSON.stringify({ E2E_OUT: out, E2E_DIR: dir, ...env });
  return `  ${name}:
    handler: ${JSON.stringify(`${RECORDER}#${exportName}`)}
    timeoutSeconds: 30
    concurrency: 4
    environment: ${environment}
`;
}

/** The parts of an e2e daemon config that differ between tests. */
export interface DaemonYamlParts {
  /** The SQLite state file. */
  readonly stateDb: string;
  /** aws.endpoints, e.g. `{ sqs: server.endpoint }`. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** aws.accountId; default `000000000000`. */
  readonly accountId?: string;
  /** Adds static aws.credentials. */
  readonly credentials?: boolean;
  /** YAML lines under `functions:` (e.g. from recorderFunction). */
  readonly functions: string;
  /** YAML lines under `mappings:`; no `mappings:` key when absent. */
  readonly mappings?: string;
}

const withNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);

/**
 * An e2e daemon config: API on a free loopback port, SQLite state, region us-east-1, the given
 * endpoints, functions and mappings, progress lines off, a 5 s drain on shutdown.
 */
export function daemonYaml(p: DaemonYamlParts): string {
  return `server: { host: 127.0.0.1, port: 0 }
state: { sqlite: ${JSON.stringify(p.stateDb)} }
aws:
  region: us-east-1
  accountId: "${p.accountId ?? '000000000000'}"
  endpoints: ${JSON.stringify(p.endpoints)}
${p.credentials ? '  credentials: { accessKeyId: sluice, secretAccessKey: sluice }\n' : ''}functions:
${withNewline(p.functions)}${p.mappings === undefined ? '' : `mappings:\n${withNewline(p.mappings)}`}progress: { enabled: false }
shutdown: { drainTimeoutSeconds: 5 }
`;
}

/**
 * Receives from a queue (short polls, 10 at a time) until at least one message has arrived;
 * returns every message body received, JSON-parsed, in order.
 */
export async function receiveJsonBodies(sqs: SQSClient, url: string, o: { timeoutMs: number; intervalMs: number; message: string }): Promise<unknown[]> {
  const bodies: unknown[] = [];
  await waitFor(
    async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const m of r.Messages ?? []) bodies.push(JSON.parse(m.Body ?? 'null'));
      return bodies.length > 0;
    },
    o,
  );
  return bodies;
}

export { useSqsServer, type SqsFixture } from '../../support/sqs-server.js';

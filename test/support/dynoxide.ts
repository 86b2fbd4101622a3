/**
 * DynamoDB Streams test support: the Dynoxide binary (npm optional dependency
 * `@dynoxide/linux-x64`) as a child process on a free loopback port, in memory
 * (local-backends.md, "DynamoDB Streams"). DynamoDB and DynamoDB Streams share the port.
 * Limits: one shard per stream, region "dynoxide" in ARNs and records.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './ports.js';
import { spawnServerProcess, waitUntilReady } from './process.js';
import { CreateTableCommand, type DynamoDBClient, type StreamViewType } from '@aws-sdk/client-dynamodb';
import type { AwsSettings } from '../../src/sources/source.js';

const require = createRequire(import.meta.url);

export interface DynoxideServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** AwsSettings pointing the DynamoDB Streams client at this server. */
  readonly aws: AwsSettings;
  /** Kills the process. Idempotent. */
  close(): Promise<void>;
}

/** Path of the Dynoxide binary, or undefined when the optional dependency is not installed. */
export function dynoxideBinary(): string | undefined {
  try {
    const p = join(dirname(require.resolve('@dynoxide/linux-x64/package.json')), 'dynoxide');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Why Dynoxide cannot run here, or undefined when it can (for `test(..., { skip })`). */
export function dynoxideMissing(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `Dynoxide only ships for linux-x64 (this is ${process.platform}-${process.arch})`;
  return dynoxideBinary() ? undefined : 'Dynoxide binary missing: node_modules/@dynoxide/linux-x64/dynoxide (optional dependency "@dynoxide/linux-x64"; run npm install on linux-x64)';
}

export async function startDynoxide(opts: { timeoutMs?: number; region?: string } = {}): Promise<DynoxideServer> {
  const missing = dynoxideMissing();
  if (missing) throw new Error(missing);
  const bin = dynoxideBinary()!;
  const port = await freePort();
  const proc = spawnServerProcess(bin, ['--host', '127.0.0.1', '--port', String(port)]);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, {
    name: 'dynoxide',
    endpoint,
    timeoutMs: opts.timeoutMs ?? 15_000,
    intervalMs: 50,
    probe: async (signal) => {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
        body: '{}',
        signal,
      });
      await res.arrayBuffer();
      return true;
    },
  });
  const region = opts.region ?? 'us-east-1';
  const accountId = '000000000000';
  return {
    endpoint,
    region,
    accountId,
    aws: { region, accountId, endpoints: { dynamodbstreams: endpoint }, credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } },
    close: proc.close,
  };
}

/**
 * Creates an on-demand table keyed by the string attribute `pk` with a stream of `viewType`;
 * returns the stream's ARN (Dynoxide's, with region "dynoxide").
 */
export async function createStreamTable(ddb: DynamoDBClient, TableName: string, viewType: StreamViewType): Promise<string> {
  const created = await ddb.send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
    }),
  );
  const arn = created.TableDescription?.LatestStreamArn;
  if (!arn) throw new Error(`CreateTable ${TableName} returned no LatestStreamArn`);
  return arn;
}

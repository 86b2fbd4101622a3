/**
 * Kinesis test support: kinesalite in-process on a free loopback port (local-backends.md,
 * "Kinesis"). Fast (12–19k records/s read); no StreamARN, no ChildShards, no ShardFilter.
 * Stream ARNs are `arn:aws:kinesis:us-east-1:000000000000:stream/<name>` (kinesalite reads its
 * region/account from AWS_REGION / AWS_ACCOUNT_ID, defaulting to these).
 */
import type { IncomingMessage } from 'node:http';
import type { AwsSettings } from '../../src/sources/source.js';
import { closeHttpServer, listenKinesalite } from '../../src/embedded/kinesalite.js';

export interface KinesisTestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** AwsSettings pointing the Kinesis client at this server. */
  readonly aws: AwsSettings;
  /** How many requests with this X-Amz-Target operation (e.g. `ListShards`) the server has received. */
  requestCount(operation: string): number;
  /** The ARN kinesalite gives a stream of this name. */
  streamArn(name: string): string;
  /** Closes the server and its connections. Idempotent. */
  close(): Promise<void>;
}

export async function startKinesalite(opts: { createStreamMs?: number; updateStreamMs?: number; shardLimit?: number } = {}): Promise<KinesisTestServer> {
  const { server: srv, port } = await listenKinesalite(0, opts);
  const counts = new Map<string, number>();
  srv.on('request', (req: IncomingMessage) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    counts.set(op, (counts.get(op) ?? 0) + 1);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const region = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  const accountId = (process.env['AWS_ACCOUNT_ID'] ?? '000000000000').replace(/[^\d]/g, '');
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    region,
    accountId,
    aws: { region, accountId, endpoints: { kinesis: endpoint }, credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } },
    requestCount: (op) => counts.get(op) ?? 0,
    streamArn: (name) => `arn:aws:kinesis:${region}:${accountId}:stream/${name}`,
    close: () => (closing ??= closeHttpServer(srv)),
  };
}

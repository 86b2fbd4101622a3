/**
 * SQS test support: local-aws-sqs in-process on a free loopback port (local-backends.md, "SQS").
 * Known emulator faults (send AttributeNames too; each visibility change counts as a receive;
 * no FIFO group locking) are handled by the tests and the source, not here.
 *
 * Uses the package's request handler on our own http server (listen on port 0: no port race) so
 * close() can also clear the emulator's per-message timers (otherwise they keep node alive).
 */
import { createServer } from 'node:http';
import { after, before } from 'node:test';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../src/sources/aws-clients.js';
import { createRequestHandler } from 'local-aws-sqs';
import type { AwsSettings } from '../../src/sources/source.js';

export interface SqsTestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** AwsSettings pointing every SQS client at this server. */
  readonly aws: AwsSettings;
  /** Closes the server, its open connections and the emulator's timers. Idempotent. */
  close(): Promise<void>;
}

export async function startSqs(opts: { region?: string; accountId?: string } = {}): Promise<SqsTestServer> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '000000000000';
  const { service, requestHandler } = createRequestHandler({
    port: 0,
    hostname: '127.0.0.1',
    region,
    accountId,
    emulateQueueCreationLifecycle: false,
  });
  const srv = createServer((req, res) => void requestHandler(req, res));
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = srv.address();
  if (addr === null || typeof addr === 'string') throw new Error('local-aws-sqs has no TCP address');
  // Queue URLs are built from these.
  (service as unknown as { PORT: number }).PORT = addr.port;
  const endpoint = `http://127.0.0.1:${addr.port}`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    region,
    accountId,
    aws: { region, accountId, endpoints: { sqs: endpoint }, credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        srv.close(() => resolve());
        // Long polls (WaitTimeSeconds) and keep-alive sockets would otherwise hold close() open.
        srv.closeAllConnections();
        (service as unknown as { resetAll(): void }).resetAll();
      })),
  };
}

/** An SQS client for a test server, configured as sluice configures its own. */
export function sqsTestClient(server: SqsTestServer): SQSClient {
  return new SQSClient(awsClientConfig(server.aws, 'sqs'));
}

/** A local-aws-sqs server and a client for it, for the tests of the enclosing suite (or file). */
export interface SqsFixture {
  readonly server: SqsTestServer;
  readonly sqs: SQSClient;
}

/**
 * Starts local-aws-sqs and an SQS client in `before` and closes both in `after` of the current
 * suite (the file, at top level). The properties throw when read before `before` has run.
 */
export function useSqsServer(): SqsFixture {
  let server: SqsTestServer | undefined;
  let sqs: SQSClient | undefined;
  before(async () => {
    server = await startSqs();
    sqs = sqsTestClient(server);
  });
  after(async () => {
    sqs?.destroy();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the SQS server is not started yet (use it inside a test)');
      return server;
    },
    get sqs() {
      if (!sqs) throw new Error('the SQS client is not created yet (use it inside a test)');
      return sqs;
    },
  };
}

import type { Server as HttpServer } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import { freeLoopbackPort } from './free-port.js';
import { closeHttpServer, listenKinesalite } from './kinesalite.js';

export interface EmbeddedServers {
  /** Endpoints to put into aws.endpoints. */
  readonly endpoints: { readonly sqs: string; readonly kinesis: string };
  /** Closes both servers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts local-aws-sqs and kinesalite in-process on 127.0.0.1. Port 0 picks a free port.
 * Both keep their data in memory only.
 */
export async function startEmbeddedServers(opts: { sqsPort: number; kinesisPort: number; region: string; accountId: string }): Promise<EmbeddedServers> {
  const sqsPort = opts.sqsPort || (await freeLoopbackPort());
  const sqs = await createSqsServer({
    port: sqsPort,
    hostname: '127.0.0.1',
    region: opts.region,
    accountId: opts.accountId,
    emulateQueueCreationLifecycle: false,
  });
  let kinesis: HttpServer;
  let kinesisPort: number;
  try {
    ({ server: kinesis, port: kinesisPort } = await listenKinesalite(opts.kinesisPort));
  } catch (e) {
    await closeHttpServer(sqs);
    throw new Error(`cannot start the embedded Kinesis server (kinesalite) on 127.0.0.1:${opts.kinesisPort}: ${(e as Error).message}`, { cause: e });
  }
  let closing: Promise<void> | undefined;
  return {
    endpoints: { sqs: `http://127.0.0.1:${sqsPort}`, kinesis: `http://127.0.0.1:${kinesisPort}` },
    close() {
      closing ??= Promise.all([closeHttpServer(sqs), closeHttpServer(kinesis)]).then(() => undefined);
      return closing;
    },
  };
}

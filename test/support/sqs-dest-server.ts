/** Starts local-aws-sqs on a free loopback port for destination tests. */
import type { Server } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import { freePort } from './ports.js';

export interface RunningSqs {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startSqsServer(): Promise<RunningSqs> {
  const port = await freePort();
  const server: Server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      })),
  };
}

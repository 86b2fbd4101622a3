/**
 * Starts the SNS query-API server that ships inside serverless-offline-sns (dist/sns-server.js,
 * not exported by the package, so loaded by file path) on an express app on a free loopback port.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningSns {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  close(): Promise<void>;
}

type ExpressApp = ((req: unknown, res: unknown) => void) & { listen(port: number, host: string, cb: () => void): Server };

export async function startSnsServer(opts: { region?: string; accountId?: string } = {}): Promise<RunningSns> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '123456789012';
  const require = createRequire(import.meta.url);
  const express = require('express') as () => ExpressApp;
  const pkgDir = require.resolve('serverless-offline-sns').replace(/dist[\\/]index\.js$/, '');
  const mod = (await import(new URL(`file://${pkgDir}dist/sns-server.js`).href)) as {
    SNSServer: new (debug: (msg: unknown) => void, app: ExpressApp, region: string, accountId: string) => unknown;
  };
  const app = express();
  new mod.SNSServer(() => undefined, app, region, accountId);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}

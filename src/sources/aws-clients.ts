import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsSettings } from './source.js';

/**
 * Common options for every AWS SDK v3 client sluice creates: region, endpoint, credentials and an
 * HTTP/1.1 keep-alive handler. HTTP/1.1 is the default on purpose: real AWS and every local
 * emulator accept it, while the Kinesis client's HTTP/2 default breaks against kinesalite.
 */
export function awsClientConfig(
  aws: AwsSettings,
  service: keyof AwsSettings['endpoints'],
  opts: { maxSockets?: number; requestTimeoutMs?: number } = {},
): {
  region: string;
  endpoint?: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
} {
  const endpoint = aws.endpoints[service];
  const maxSockets = opts.maxSockets ?? 50;
  return {
    region: aws.region,
    ...(endpoint ? { endpoint } : {}),
    // Local emulators accept any credentials; real AWS uses the default provider chain (undefined).
    // Always a fresh object: the SDK tags credentials it is given (it sets a property on them),
    // and the config's are frozen.
    credentials: aws.credentials
      ? { ...aws.credentials }
      : endpoint
        ? { accessKeyId: 'sluice', secretAccessKey: 'sluice' }
        : undefined,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      connectionTimeout: 5_000,
    }),
    maxAttempts: 3,
  };
}

/** Parses `arn:partition:service:region:account:resource`. */
export function parseArn(arn: string): { partition: string; service: string; region: string; accountId: string; resource: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1] ?? '',
    service: parts[2] ?? '',
    region: parts[3] ?? '',
    accountId: parts[4] ?? '',
    resource: parts.slice(5).join(':'),
  };
}

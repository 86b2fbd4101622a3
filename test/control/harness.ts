/** A control plane on 127.0.0.1:0 with a fake engine and an in-memory (or given) store, plus an SDK client. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionSpec } from '../../src/core/functions.js';
import { createControlPlane, type ControlPlane, type ControlPlaneDeps } from '../../src/control/server.js';
import { createMemoryStateStore } from '../../src/state/memory-store.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { StateStore } from '../../src/state/store.js';
import { createFakeEngine, type FakeEngine } from '../support/fake-engine.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const FUNCTIONS = ['fn-a', 'fn-b', 'my-function'];

export function handlerFunction(name: string): FunctionSpec {
  return { kind: 'handler', name, modulePath: '/dev/null', exportName: 'handler', timeoutSeconds: 3, concurrency: 1, environment: {}, memorySizeMb: 128 };
}

export interface Harness {
  readonly cp: ControlPlane;
  readonly engine: FakeEngine;
  readonly store: StateStore;
  readonly client: LambdaClient;
  readonly base: string;
  close(): Promise<void>;
}

export async function startHarness(opts: Partial<ControlPlaneDeps> & { hold?: boolean; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Promise<Harness> {
  const engine = (opts.engine as FakeEngine | undefined) ?? createFakeEngine({ hold: opts.hold });
  const store = opts.store ?? createMemoryStateStore();
  const cp = createControlPlane({
    host: '127.0.0.1',
    port: 0,
    engine,
    store,
    functions: opts.functions ?? FUNCTIONS.map(handlerFunction),
    logger: silentLogger,
    region: REGION,
    accountId: ACCOUNT,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.ready ? { ready: opts.ready } : {}),
  });
  const addr = await cp.listen();
  const base = `http://127.0.0.1:${addr.port}`;
  const client = new LambdaClient({
    endpoint: base,
    region: REGION,
    credentials: opts.credentials ?? { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
    maxAttempts: 1,
  });
  return {
    cp,
    engine,
    store,
    client,
    base,
    async close() {
      client.destroy();
      engine.release();
      await cp.close();
      await store.close();
    },
  };
}

export const SQS_ARN = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const KINESIS_ARN = (name: string): string => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
export const DDB_ARN = (table: string): string => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}/stream/2024-01-01T00:00:00.000`;
export const MSK_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/demo/abcd1234-ab12-cd34-ef56-abcdef123456-1`;
export const MQ_ARN = `arn:aws:mq:${REGION}:${ACCOUNT}:broker:my-rabbit-broker:b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9`;

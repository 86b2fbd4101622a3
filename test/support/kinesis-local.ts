/**
 * Kinesis test support: kinesis-local (kinesis-mock compiled to JS) as a child process on free
 * loopback ports (local-backends.md, "Kinesis"). Higher fidelity than kinesalite (StreamARN,
 * ChildShards, ShardFilter, UpdateShardCount) but slower; used for resharding tests.
 * Stream ARNs are `arn:aws:kinesis:us-east-1:000000000000:stream/<name>`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { freePort } from './ports.js';
import { spawnServerProcess, waitUntilReady } from './process.js';
import type { KinesisTestServer } from './kinesalite.js';

const require = createRequire(import.meta.url);

/** Starts kinesis-local and waits until its /healthcheck answers (about 1 s on the dev machine). */
export async function startKinesisLocal(opts: { timeoutMs?: number; durationMs?: number } = {}): Promise<KinesisTestServer> {
  let dir: string;
  try {
    dir = dirname(require.resolve('kinesis-local/package.json'));
  } catch (e) {
    throw new Error('kinesis-local is not installed (npm devDependency "kinesis-local"): run npm install', { cause: e });
  }
  const port = await freePort();
  const tlsPort = await freePort();
  const d = `${opts.durationMs ?? 50}ms`;
  const region = 'us-east-1';
  const accountId = '000000000000';
  const proc = spawnServerProcess(process.execPath, ['main.js'], {
    cwd: dir,
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(port),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      CREATE_STREAM_DURATION: d,
      DELETE_STREAM_DURATION: d,
      MERGE_SHARDS_DURATION: d,
      SPLIT_SHARD_DURATION: d,
      UPDATE_SHARD_COUNT_DURATION: d,
      REGISTER_STREAM_CONSUMER_DURATION: d,
      DEREGISTER_STREAM_CONSUMER_DURATION: d,
      AWS_REGION: region,
      AWS_ACCOUNT_ID: accountId,
      LOG_LEVEL: 'ERROR',
      SHOULD_PERSIST_DATA: 'false',
    },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, {
    name: 'kinesis-local',
    endpoint,
    timeoutMs: opts.timeoutMs ?? 30_000,
    intervalMs: 100,
    probe: async (signal) => {
      const res = await fetch(`${endpoint}/healthcheck`, { signal });
      await res.arrayBuffer();
      return res.ok;
    },
  });
  return {
    endpoint,
    region,
    accountId,
    aws: { region, accountId, endpoints: { kinesis: endpoint }, credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } },
    requestCount: () => {
      throw new Error('requestCount is only available on kinesalite (in-process)');
    },
    streamArn: (name) => `arn:aws:kinesis:${region}:${accountId}:stream/${name}`,
    close: proc.close,
  };
}

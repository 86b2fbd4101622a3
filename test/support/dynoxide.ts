/**
 * DynamoDB Streams test support: the Dynoxide binary (npm optional dependency
 * `@dynoxide/linux-x64`) as a child process on a free loopback port, in memory
 * (local-backends.md, "DynamoDB Streams"). DynamoDB and DynamoDB Streams share the port.
 * Limits: one shard per stream, region "dynoxide" in ARNs and records.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './ports.js';
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
  const child: ChildProcess = spawn(bin, ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 8192) stderr += s;
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      resolve();
    });
    child.once('error', (e) => {
      stderr += String(e);
      exited = -1;
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (exited === undefined) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exit;
        clearTimeout(t);
      }
    })());
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`dynoxide exited with code ${exited} before answering: ${stderr}`);
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
        body: '{}',
        signal: AbortSignal.timeout(1000),
      });
      await res.arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`dynoxide did not answer on ${endpoint} within ${opts.timeoutMs ?? 15_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const region = opts.region ?? 'us-east-1';
  const accountId = '000000000000';
  return {
    endpoint,
    region,
    accountId,
    aws: { region, accountId, endpoints: { dynamodbstreams: endpoint }, credentials: { accessKeyId: 'sluice', secretAccessKey: 'sluice' } },
    close,
  };
}

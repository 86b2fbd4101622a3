/**
 * Invokes a function through the Lambda Invoke API over HTTP (FunctionSpec kind `lambda`):
 * `POST {endpoint}/2015-03-31/functions/{functionName}/invocations[?Qualifier=q]` with
 * `X-Amz-Invocation-Type: RequestResponse`, on a keep-alive undici Pool (one connection per unit
 * of concurrency). The event is serialized once per invoke, straight to the UTF-8 bytes undici
 * sends (json-body.ts). Answers are mapped by http-response.ts. invoke() never throws except
 * AbortedError when the caller's signal aborts (the request then runs on to its answer or
 * timeout, holding its concurrency slot).
 *
 * No internal retry: a failed invoke goes back to the pipeline, which owns retries and backoff.
 * Failures without an HTTP answer have statusCode 0:
 * - the request certainly never reached the endpoint (connection refused, DNS, connect timeout):
 *   `Sluice.InvokeConnectionError`, throttled = true (the function did not run; retry with backoff)
 * - the connection broke after the request was sent (reset, closed by the server):
 *   `Sluice.InvokeConnectionError`, throttled = false (the function may have run)
 * - no answer headers within timeoutSeconds + `timeoutMarginMs` after the request was sent (or a
 *   gap that long inside the answer's body): `Sluice.InvokeTimeout`, throttled = false
 * SigV4 signing is not implemented (endpoints that need it will answer 403).
 */
import { Pool } from 'undici';
import type { FunctionSpec } from '../core/functions.js';
import type { Logger } from '../observability/logger.js';
import { mapInvokeResponse } from './http-response.js';
import { jsonBody } from './json-body.js';
import { createLimitedRuntime, type RuntimeCore } from './limited-runtime.js';
import { functionError } from './results.js';
import type { FunctionRuntime, InvokeOptions, InvokeResult } from './runtime.js';

export type LambdaFunctionSpec = Extract<FunctionSpec, { kind: 'lambda' }>;

export interface HttpRuntimeOptions {
  readonly functionArn: string;
  readonly logger: Logger;
  /** Added to timeoutSeconds before the invoke is given up locally; default 1000 ms. */
  readonly timeoutMarginMs?: number;
  /** Idle keep-alive connections are closed after this; default 4000 ms (below Node's 5 s server default). */
  readonly keepAliveTimeoutMs?: number;
  /** Maximum invokes waiting for concurrency; default `max(1000, 100 * concurrency)`. */
  readonly maxWaiting?: number;
}

/** Error codes meaning the request never left this machine / never reached the endpoint. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return undefined;
}

export function invokePath(endpoint: string, functionName: string, qualifier?: string): { origin: string; path: string } {
  const url = new URL(endpoint);
  const base = url.pathname.replace(/\/+$/, '');
  const q = qualifier === undefined || qualifier === '' ? '' : `?Qualifier=${encodeURIComponent(qualifier)}`;
  return { origin: url.origin, path: `${base}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations${q}` };
}

export function createHttpRuntime(spec: LambdaFunctionSpec, opts: HttpRuntimeOptions): FunctionRuntime {
  const { origin, path } = invokePath(spec.endpoint, spec.functionName, spec.qualifier);
  const timeoutMs = spec.timeoutSeconds * 1000 + (opts.timeoutMarginMs ?? 1000);
  const log = opts.logger.child({ functionName: spec.name });
  const pool = new Pool(origin, {
    connections: spec.concurrency,
    pipelining: 1,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4000,
  });
  // A flat name/value list: undici reads it without Object.keys; content-length comes from the Buffer.
  const headers = ['content-type', 'application/json', 'x-amz-invocation-type', 'RequestResponse'];

  const run = async (event: unknown, o: InvokeOptions): Promise<InvokeResult> => {
    const started = performance.now();
    let body: Buffer;
    try {
      body = jsonBody(event, o.payloadBytes);
    } catch (err) {
      return functionError('Sluice.InvalidEvent', `event is not serializable: ${String(err)}`, 0, { statusCode: 0 });
    }
    try {
      // undici's own timers bound the wait for the answer's headers and each gap in its body
      // (cheaper than a timer + AbortController per invoke). The caller's signal is handled by
      // limited-runtime.ts; close() destroys the pool, which ends requests still in flight.
      const res = await pool.request({ path, method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const text = await res.body.text();
      return mapInvokeResponse(res.statusCode, res.headers, text, performance.now() - started);
    } catch (err) {
      const ms = performance.now() - started;
      const code = errorCode(err);
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        return functionError('Sluice.InvokeTimeout', `no answer from ${origin} within ${timeoutMs} ms`, ms, { statusCode: 0 });
      }
      const message = `invoke of ${spec.functionName} at ${origin} failed: ${code ?? ''} ${err instanceof Error ? err.message : String(err)}`.replace('  ', ' ');
      log.debug('invoke connection error', { err, requestId: o.requestId });
      return functionError('Sluice.InvokeConnectionError', message, ms, { statusCode: 0, throttled: code !== undefined && NOT_SENT.has(code) });
    }
  };

  const core: RuntimeCore = {
    run,
    async shutdown() {
      await pool.destroy();
    },
  };
  return createLimitedRuntime(core, {
    name: spec.name,
    functionArn: opts.functionArn,
    concurrency: spec.concurrency,
    ...(opts.maxWaiting === undefined ? {} : { maxWaiting: opts.maxWaiting }),
  });
}

/**
 * A runtime that calls a JavaScript function on the calling thread, as the Lambda Node.js runtime
 * would (same context, callback support and error mapping as the worker-thread runtime). For
 * benchmarks, pipeline tests and embedding. A timed-out call is reported `Sandbox.Timedout` and
 * abandoned (it cannot be stopped: nothing runs it in a separate thread).
 */
import { callHandler, createContext, type Handler } from './call-handler.mjs';
import { createLimitedRuntime, type RuntimeCore } from './limited-runtime.js';
import { functionError, success } from './results.js';
import { callWithTimeout } from './timed-call.js';
import type { FunctionRuntime, InvokeOptions, InvokeResult } from './runtime.js';

export type InProcessHandler = (event: any, context: any, callback: (err?: unknown, result?: unknown) => void) => unknown;

export interface InProcessRuntimeOptions {
  /** Default `arn:aws:lambda:us-east-1:000000000000:function:<name>`. */
  readonly functionArn?: string;
  /** Default 3 (Lambda's default function timeout). */
  readonly timeoutSeconds?: number;
  /** Maximum concurrent calls; default 1000. */
  readonly concurrency?: number;
  /** context.memoryLimitInMB; default 128. */
  readonly memorySizeMb?: number;
  /** Maximum calls waiting for concurrency; default `max(1000, 100 * concurrency)`. */
  readonly maxWaiting?: number;
}

export function createInProcessRuntime(name: string, fn: InProcessHandler, opts: InProcessRuntimeOptions = {}): FunctionRuntime {
  const functionArn = opts.functionArn ?? `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  const timeoutSeconds = opts.timeoutSeconds ?? 3;
  const timeoutMs = timeoutSeconds * 1000;
  const concurrency = opts.concurrency ?? 1000;
  const info = {
    functionName: name,
    functionArn,
    memoryLimitInMB: opts.memorySizeMb ?? 128,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `in-process/[$LATEST]${name}`,
  };

  const run = (event: unknown, o: InvokeOptions): Promise<InvokeResult> =>
    callWithTimeout(o.requestId, timeoutSeconds, (settle) => {
      callHandler(fn as Handler, event, createContext(info, o.requestId, Date.now() + timeoutMs)).then((out) => {
        settle((ms) => (out.ok ? success(out.payload, ms) : functionError(out.errorType, out.errorMessage, ms)));
      });
    });

  const core: RuntimeCore = { run, shutdown: async () => {} };
  return createLimitedRuntime(core, {
    name,
    functionArn,
    concurrency,
    ...(opts.maxWaiting === undefined ? {} : { maxWaiting: opts.maxWaiting }),
  });
}

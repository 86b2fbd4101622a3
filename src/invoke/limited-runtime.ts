/**
 * Wraps a runtime core with the function's fair concurrency limit and an idempotent close():
 * every runtime (worker threads, HTTP, in-process) shares this admission and shutdown logic.
 */
import { AbortedError, SluiceError } from '../core/errors.js';
import { onAbort } from './abort-fanout.js';
import { createFairLimiter } from './fair-limiter.js';
import { runtimeClosed, tooManyPending } from './results.js';
import type { FunctionRuntime, InvokeOptions, InvokeResult } from './runtime.js';

/** What a concrete runtime provides; it runs only once a concurrency slot is held. */
export interface RuntimeCore {
  /**
   * Runs one invoke; never rejects, and settles by its own timeout. It need not watch
   * `opts.signal`: when the caller aborts, invoke() rejects at once with AbortedError while the
   * run goes on holding its concurrency slot until it settles (a running function is not stopped
   * by its caller; close() stops everything).
   */
  run(event: unknown, opts: InvokeOptions): Promise<InvokeResult>;
  /** Releases resources; in-flight runs must settle (resolve or reject) promptly once called. */
  shutdown(): Promise<void>;
}

export interface LimitedRuntimeOptions {
  readonly name: string;
  readonly functionArn: string;
  /** Maximum concurrent invokes (FunctionSpec.concurrency). */
  readonly concurrency: number;
  /** Maximum invokes waiting for a slot; default `max(1000, 100 * concurrency)`. */
  readonly maxWaiting?: number;
  /** Default wait of close() for in-flight invokes, in ms: 10 000. */
  readonly defaultCloseMs?: number;
}

const DEFAULT_KEY = '';

export function createLimitedRuntime(core: RuntimeCore, opts: LimitedRuntimeOptions): FunctionRuntime {
  const limiter = createFairLimiter({ limit: opts.concurrency, maxWaiting: opts.maxWaiting ?? Math.max(1000, 100 * opts.concurrency) });
  let closing: Promise<void> | undefined;

  const admitted = (event: unknown, o: InvokeOptions): Promise<InvokeResult> =>
    new Promise<InvokeResult>((resolve, reject) => {
      const off = onAbort(o.signal, () => reject(new AbortedError('invoke aborted', { functionName: opts.name })));
      core.run(event, o).then(
        (r) => {
          limiter.release();
          off();
          resolve(r);
        },
        (e: unknown) => {
          limiter.release();
          off();
          reject(e);
        },
      );
    });

  return {
    name: opts.name,
    functionArn: opts.functionArn,
    invoke(event, o) {
      if (closing !== undefined) return Promise.resolve(runtimeClosed(opts.name, 0));
      if (o.signal.aborted) return Promise.reject(new AbortedError('invoke aborted', { functionName: opts.name }));
      if (limiter.tryAcquire()) return admitted(event, o);
      return limiter.acquire(o.mappingKey ?? DEFAULT_KEY, o.signal).then(
        () => admitted(event, o),
        (e: unknown) => {
          if (e instanceof AbortedError) throw e;
          if (e instanceof SluiceError && e.code === 'INVOKE_QUEUE_FULL') return tooManyPending(e.message, 0);
          return runtimeClosed(opts.name, 0);
        },
      );
    },
    close(deadlineMs) {
      closing ??= (async () => {
        limiter.close(new SluiceError(`function ${opts.name} is closed`, { code: 'RUNTIME_CLOSED' }));
        const waitMs = Math.max(0, deadlineMs ?? opts.defaultCloseMs ?? 10_000);
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([limiter.idle(), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
        } finally {
          clearTimeout(timer);
          await core.shutdown();
        }
      })();
      return closing;
    },
  };
}

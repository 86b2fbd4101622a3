/**
 * Runs a handler module (FunctionSpec kind `handler`) on a piscina pool of worker threads, called
 * as the Lambda Node.js runtime calls it (see call-handler.mjs for the error shapes).
 *
 * - threads = min(concurrency, availableParallelism), `ceil(concurrency / threads)` invokes in
 *   flight per thread, so `concurrency` invokes run at once (the fair limiter admits no more).
 * - The event goes by structured clone (sources build plain JSON values, for which this equals
 *   Lambda's JSON transport); the worker JSON round-trips the result. An event that cannot be
 *   cloned (a function inside) answers `Sluice.InvalidEvent`.
 * - Timeout (timeoutSeconds): `Sandbox.Timedout` at the deadline; the thread is recycled once its
 *   other invokes finished (thread-recycler.ts).
 * - process.exit(n) / an uncaught exception (status 129) / an unhandled rejection (status 128) on
 *   a thread: `Runtime.ExitError` for every invoke running on that thread (threads run several
 *   invokes at once, unlike a Lambda sandbox); piscina starts a replacement thread.
 * - A thread's heap above its limit (`heapLimitMb`): `Runtime.OutOfMemory`.
 * - Caller's signal aborted: invoke() rejects with AbortedError at once; the handler runs on to
 *   its end or its timeout (as a Lambda function does when its caller goes away).
 */
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Piscina } from 'piscina';
import type { FunctionSpec } from '../core/functions.js';
import type { Logger } from '../observability/logger.js';
import { createLimitedRuntime, type RuntimeCore } from './limited-runtime.js';
import { exitError, functionError, runtimeClosed, success, tooManyPending } from './results.js';
import { callWithTimeout } from './timed-call.js';
import type { FunctionRuntime, InvokeOptions, InvokeResult } from './runtime.js';
import { createThreadRecycler, type TaskSlot } from './thread-recycler.js';

export type HandlerFunctionSpec = Extract<FunctionSpec, { kind: 'handler' }>;

export interface PiscinaRuntimeOptions {
  readonly functionArn: string;
  /** AWS_REGION / AWS_DEFAULT_REGION seen by the handler. */
  readonly region: string;
  readonly logger: Logger;
  /** Thread count override; default `min(concurrency, max(1, os.availableParallelism()))`. */
  readonly threads?: number;
  /** Maximum invokes waiting for concurrency; default `max(1000, 100 * concurrency)`. */
  readonly maxWaiting?: number;
  /**
   * Old-generation heap limit of each thread, in MB; beyond it the invokes on the thread answer
   * `Runtime.OutOfMemory`. Default `max(memorySizeMb * invokes per thread, 2048)`: a guard
   * against runaway handlers rather than Lambda's exact memory cap, because V8 collects garbage
   * much more often under a heap limit of 1 GB or less (measured: up to ~40% less throughput).
   */
  readonly heapLimitMb?: number;
}

type WorkerAnswer = { ok: true; payload: unknown } | { ok: false; errorType: string; errorMessage: string };

const WORKER_URL = new URL('./worker.mjs', import.meta.url);
const EXIT_RE = /worker exited with code: (-?\d+)/;

export function createPiscinaRuntime(spec: HandlerFunctionSpec, opts: PiscinaRuntimeOptions): FunctionRuntime {
  const threads = opts.threads ?? Math.min(spec.concurrency, Math.max(1, availableParallelism()));
  const perThread = Math.ceil(spec.concurrency / threads);
  const timeoutMs = spec.timeoutSeconds * 1000;
  const log = opts.logger.child({ functionName: spec.name });
  const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
  let pool: Piscina | undefined;
  let shuttingDown = false;

  const recycler = createThreadRecycler({
    perThread,
    terminate: (id) => {
      const w = pool?.threads.find((t) => t.threadId === id);
      if (w === undefined) return;
      log.warn('recycling worker thread after a timed-out invoke', { threadId: id });
      void w.terminate();
    },
  });

  pool = new Piscina({
    filename: WORKER_URL.href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: perThread,
    // The fair limiter admits at most `concurrency` invokes; the queue only holds them while a
    // thread is being replaced.
    maxQueue: spec.concurrency,
    idleTimeout: Infinity,
    resourceLimits: { maxOldGenerationSizeMb: opts.heapLimitMb ?? Math.max(spec.memorySizeMb * perThread, 2048) },
    loadBalancer: recycler.balancer as never,
    env: {
      ...process.env,
      ...spec.environment,
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(spec.timeoutSeconds),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      AWS_REGION: opts.region,
      AWS_DEFAULT_REGION: opts.region,
    } as Record<string, string>,
    workerData: {
      modulePath: spec.modulePath,
      exportName: spec.exportName,
      functionName: spec.name,
      functionArn: opts.functionArn,
      memoryLimitInMB: spec.memorySizeMb,
      logGroupName: `/aws/lambda/${spec.name}`,
      logStreamName,
    },
  });
  pool.on('error', (err: unknown) => log.warn('worker thread error outside an invoke', { err }));

  const run = (event: unknown, o: InvokeOptions): Promise<InvokeResult> => {
    const slot: TaskSlot = { threadId: -1, abandoned: false, counted: false };
    return callWithTimeout(
      o.requestId,
      spec.timeoutSeconds,
      (settle) => {
        const task = { event, requestId: o.requestId, deadline: Date.now() + timeoutMs, [Piscina.queueOptionsSymbol]: slot };
        pool!.run(task).then(
          (a: WorkerAnswer) => {
            recycler.settled(slot);
            settle((ms) => (a.ok ? success(a.payload, ms) : functionError(a.errorType, a.errorMessage, ms)));
          },
          (err: unknown) => {
            recycler.settled(slot);
            settle((ms) => fromPoolError(err, o.requestId, ms));
          },
        );
      },
      () => recycler.abandon(slot),
    );
  };

  const fromPoolError = (err: unknown, requestId: string, ms: number): InvokeResult => {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg === 'Task queue is at limit') return tooManyPending(`worker pool queue of ${spec.name} is full`, ms);
    if (shuttingDown) return runtimeClosed(spec.name, ms);
    if (err instanceof Error && err.name === 'DataCloneError') {
      return functionError('Sluice.InvalidEvent', `event cannot be passed to the handler: ${msg}`, ms, { statusCode: 0 });
    }
    if ((err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return functionError('Runtime.OutOfMemory', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`, ms);
    }
    const m = EXIT_RE.exec(msg);
    return exitError(requestId, m === null ? undefined : Number(m[1]), ms);
  };

  const core: RuntimeCore = {
    run,
    async shutdown() {
      shuttingDown = true;
      await pool!.destroy();
    },
  };
  return createLimitedRuntime(core, {
    name: spec.name,
    functionArn: opts.functionArn,
    concurrency: spec.concurrency,
    ...(opts.maxWaiting === undefined ? {} : { maxWaiting: opts.maxWaiting }),
  });
}

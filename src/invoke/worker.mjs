// Piscina task entry: runs one invoke of the configured handler on this worker thread.
// Plain JavaScript so it runs without a TypeScript loader (tsc copies it to dist/src/invoke/).
//
// workerData (set once per pool): { modulePath, exportName, functionName, functionArn,
//   memoryLimitInMB, logGroupName, logStreamName }.
// Task: { event, requestId, deadline } — the event arrives by structured clone.
// Answer: { ok: true, payload } | { ok: false, errorType, errorMessage }; never throws.
//
// Like the Lambda Node.js runtime, an uncaught exception ends the runtime with exit status 129
// and an unhandled promise rejection with 128; the pool reports `Runtime.ExitError` for the
// invokes running on this thread and replaces it.
import { workerData } from 'node:worker_threads';
import { callHandler, createContext, loadHandler } from './call-handler.mjs';

const fn = workerData;

process.on('uncaughtException', () => process.exit(129));
process.on('unhandledRejection', () => process.exit(128));

/** @type {import('./call-handler.mjs').LoadedHandler | undefined} */
let loaded;
/** @type {Promise<import('./call-handler.mjs').LoadedHandler> | undefined} */
let loading;

/**
 * @param {import('./call-handler.mjs').LoadedHandler} h
 * @param {{ event: unknown, requestId: string, deadline: number }} task
 */
function run(h, task) {
  if (!h.ok) return h;
  return callHandler(h.handler, task.event, createContext(fn, task.requestId, task.deadline));
}

/** @param {{ event: unknown, requestId: string, deadline: number }} task */
export default function invoke(task) {
  // A task that waited in the pool's queue past its deadline was already reported timed out.
  if (Date.now() >= task.deadline) return { ok: false, errorType: 'Sluice.Expired', errorMessage: 'not run: deadline passed while queued' };
  if (loaded !== undefined) return run(loaded, task);
  loading ??= loadHandler(fn.modulePath, fn.exportName).then((h) => (loaded = h));
  return loading.then((h) => run(h, task));
}

// Calls a handler exactly as the AWS Lambda Node.js runtime does, and turns whatever happens into a
// plain, structured-clonable outcome. Plain JavaScript on purpose: the worker thread entry
// (worker.mjs) imports it without any TypeScript loader; the in-process runtime imports it too.
//
// Error shapes follow the Lambda Node.js runtime interface client:
// - an Error thrown / rejected / passed to the callback: errorType = error.name, errorMessage = message
// - a non-Error value: errorType = typeof value (e.g. 'string'), errorMessage = String(value)
// - a result JSON.stringify cannot handle: 'Runtime.JSONStringifyError' / 'Unable to stringify response body'
// - a module that cannot be imported: 'Runtime.ImportModuleError' (syntax errors:
//   'Runtime.UserCodeSyntaxError'), message String(original error)
// - a missing or non-function export: 'Runtime.HandlerNotFound', '<module>.<export> is undefined or
//   not exported' / '<module>.<export> is not a function'
import { pathToFileURL } from 'node:url';
import { basename, extname } from 'node:path';

/**
 * @typedef {{ ok: true, payload: unknown } | { ok: false, errorType: string, errorMessage: string }} HandlerOutcome
 * @typedef {(event: unknown, context: object, callback: (err?: unknown, result?: unknown) => void) => unknown} Handler
 * @typedef {{ ok: true, handler: Handler } | { ok: false, errorType: string, errorMessage: string }} LoadedHandler
 */

/**
 * Lambda's formatting of a thrown/rejected value.
 * @param {unknown} err
 * @returns {{ ok: false, errorType: string, errorMessage: string }}
 */
export function errorOutcome(err) {
  try {
    if (err instanceof Error) {
      return { ok: false, errorType: String(err.name ?? 'Error'), errorMessage: String(err.message ?? '') };
    }
    return { ok: false, errorType: typeof err, errorMessage: String(err) };
  } catch {
    return {
      ok: false,
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/**
 * Normalises a result the way Lambda serializes it: JSON text, then parsed back.
 * `undefined` becomes `null` (Lambda answers the body `null`).
 * @param {unknown} result
 * @returns {HandlerOutcome}
 */
export function resultOutcome(result) {
  let text;
  try {
    text = JSON.stringify(result);
  } catch {
    return { ok: false, errorType: 'Runtime.JSONStringifyError', errorMessage: 'Unable to stringify response body' };
  }
  return { ok: true, payload: text === undefined ? null : JSON.parse(text) };
}

/**
 * Imports a handler module and resolves a (possibly dotted) export name in it or in its default export.
 * @param {string} modulePath absolute path
 * @param {string} exportName e.g. `handler`
 * @returns {Promise<LoadedHandler>}
 */
export async function loadHandler(modulePath, exportName) {
  const handlerString = `${basename(modulePath, extname(modulePath))}.${exportName}`;
  let mod;
  try {
    mod = await import(pathToFileURL(modulePath).href);
  } catch (err) {
    const type = err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    return { ok: false, errorType: type, errorMessage: String(err) };
  }
  let fn = findIn(exportName, mod);
  if (fn === undefined || fn === null) fn = findIn(exportName, mod.default);
  if (fn === undefined || fn === null) {
    return { ok: false, errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerString} is undefined or not exported` };
  }
  if (typeof fn !== 'function') {
    return { ok: false, errorType: 'Runtime.HandlerNotFound', errorMessage: `${handlerString} is not a function` };
  }
  return { ok: true, handler: /** @type {Handler} */ (fn) };
}

/** @param {string} name @param {unknown} obj @returns {unknown} */
function findIn(name, obj) {
  let cur = obj;
  for (const key of name.split('.')) {
    if (cur === null || (typeof cur !== 'object' && typeof cur !== 'function')) return undefined;
    cur = /** @type {Record<string, unknown>} */ (cur)[key];
  }
  return cur;
}

/**
 * The Lambda context object.
 * @param {{ functionName: string, functionArn: string, memoryLimitInMB: number, logGroupName: string, logStreamName: string }} fn
 * @param {string} requestId
 * @param {number} deadline epoch ms when the invoke times out
 */
export function createContext(fn, requestId, deadline) {
  return {
    awsRequestId: requestId,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.functionArn,
    memoryLimitInMB: String(fn.memoryLimitInMB),
    logGroupName: fn.logGroupName,
    logStreamName: fn.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/**
 * Calls `handler(event, context, callback)`. The first of these decides the outcome: the returned
 * promise settling, or the callback being called (callback(err) is a failure when err is neither
 * null nor undefined). A synchronous throw is a failure. A handler that returns a non-promise and
 * declares fewer than three parameters answers `null` (Lambda waits for the empty event loop and
 * sends null); one that declares the callback is waited for (the timeout bounds the wait).
 * Legacy `context.succeed/fail/done` are honoured too.
 *
 * No closure created here may capture `event`: the callbacks reachable from `context` would keep
 * the whole event alive past young-generation collections (measured: ~25% more CPU per invoke).
 * @param {Handler} handler
 * @param {unknown} event
 * @param {object} context
 * @returns {Promise<HandlerOutcome>}
 */
export function callHandler(handler, event, context) {
  /** @type {(o: HandlerOutcome) => void} */
  let resolveOutcome = () => {};
  /** @type {Promise<HandlerOutcome>} */
  const outcome = new Promise((r) => {
    resolveOutcome = r;
  });
  const finish = settler(resolveOutcome);
  attachLegacy(/** @type {Record<string, unknown>} */ (context), finish);
  let ret;
  try {
    ret = handler(event, context, finish);
  } catch (err) {
    finish(err, undefined);
    return outcome;
  }
  if (ret !== null && typeof ret === 'object' && typeof (/** @type {{then?: unknown}} */ (ret).then) === 'function') {
    /** @type {PromiseLike<unknown>} */ (ret).then(
      (r) => finish(null, r),
      (e) => finish(e === null || e === undefined ? new Error(String(e)) : e, undefined),
    );
  } else if (handler.length < 3) {
    finish(null, undefined);
  }
  return outcome;
}

/**
 * @param {(o: HandlerOutcome) => void} resolve
 * @returns {(err: unknown, result: unknown) => void}
 */
function settler(resolve) {
  let settled = false;
  return (err, result) => {
    if (settled) return;
    settled = true;
    resolve(err !== null && err !== undefined ? errorOutcome(err) : resultOutcome(result));
  };
}

/**
 * @param {Record<string, unknown>} ctx
 * @param {(err: unknown, result: unknown) => void} finish
 */
function attachLegacy(ctx, finish) {
  ctx.succeed = (/** @type {unknown} */ r) => finish(null, r);
  ctx.fail = (/** @type {unknown} */ e) => finish(e ?? new Error('handled'), undefined);
  ctx.done = finish;
}

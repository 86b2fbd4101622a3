/**
 * Builders for the InvokeResult values every runtime returns, with Lambda's error types and
 * message formats.
 */
import type { InvokeResult } from './runtime.js';

export type FunctionErrorResult = Extract<InvokeResult, { kind: 'function-error' }>;

export function success(payload: unknown, durationMs: number): InvokeResult {
  return { kind: 'success', payload, durationMs };
}

export function functionError(
  errorType: string,
  errorMessage: string,
  durationMs: number,
  opts: { statusCode?: number; throttled?: boolean } = {},
): FunctionErrorResult {
  return { kind: 'function-error', errorType, errorMessage, statusCode: opts.statusCode ?? 200, throttled: opts.throttled ?? false, durationMs };
}

/** Lambda: `Sandbox.Timedout`, `RequestId: <id> Error: Task timed out after 3.00 seconds`. */
export function timedOut(requestId: string, timeoutSeconds: number, durationMs: number): FunctionErrorResult {
  return functionError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`, durationMs);
}

/**
 * Lambda: `Runtime.ExitError`, `RequestId: <id> Error: Runtime exited with error: exit status N`
 * (or `Runtime exited without providing a reason` when no status is known).
 */
export function exitError(requestId: string, status: number | undefined, durationMs: number): FunctionErrorResult {
  const why = status === undefined ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${status}`;
  return functionError('Runtime.ExitError', `RequestId: ${requestId} Error: ${why}`, durationMs);
}

/** The function's concurrency is exhausted and too many invokes already wait: retry with backoff. */
export function tooManyPending(message: string, durationMs: number): FunctionErrorResult {
  return functionError('Sluice.TooManyPendingInvokes', message, durationMs, { statusCode: 429, throttled: true });
}

/** invoke() after close(). */
export function runtimeClosed(name: string, durationMs: number): FunctionErrorResult {
  return functionError('Sluice.RuntimeClosed', `function ${name} is closed`, durationMs, { statusCode: 503, throttled: true });
}

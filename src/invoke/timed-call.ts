import { timedOut } from './results.js';
import type { InvokeResult } from './runtime.js';

/** Settles the call once with the result built from its duration (ms); later settles are ignored. */
export type SettleCall = (result: (durationMs: number) => InvokeResult) => void;

/**
 * Runs one invoke against the function timeout: `start` begins the call and settles it through
 * `settle`; when `timeoutSeconds` passes first, `onTimeout` runs (e.g. to abandon the worker) and
 * the result is `Sandbox.Timedout`. Whichever comes first wins; the timer is always cleared.
 */
export function callWithTimeout(requestId: string, timeoutSeconds: number, start: (settle: SettleCall) => void, onTimeout?: () => void): Promise<InvokeResult> {
  return new Promise<InvokeResult>((resolve) => {
    const started = performance.now();
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      return true;
    };
    const timer = setTimeout(() => {
      if (!finish()) return;
      onTimeout?.();
      resolve(timedOut(requestId, timeoutSeconds, performance.now() - started));
    }, timeoutSeconds * 1000);
    start((result) => {
      if (finish()) resolve(result(performance.now() - started));
    });
  });
}

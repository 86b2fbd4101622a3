/** Polls `cond` until it returns a truthy value or the deadline passes. Tests never sleep to wait. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const interval = opts.intervalMs ?? 20;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`waitFor timed out after ${opts.timeoutMs ?? 10_000} ms: ${opts.message ?? cond.toString()}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Resolves with the first emission of `event` on an EventEmitter-like object, or rejects at the deadline. */
export function once<T = unknown>(
  emitter: { once(event: string, fn: (v: T) => void): unknown; off?(event: string, fn: (v: T) => void): unknown },
  event: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (v: T): void => {
      clearTimeout(t);
      resolve(v);
    };
    const t = setTimeout(() => {
      emitter.off?.(event, fn);
      reject(new Error(`event ${event} not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, fn);
  });
}

/**
 * One FunctionRuntime per configured function (`functions:` in the config file): worker threads
 * for `handler` functions, the Lambda Invoke API for `lambda` functions. Each runtime bounds its
 * concurrency, shared fairly across the mappings that invoke it (pass `mappingKey`).
 */
import type { FunctionSpec } from '../core/functions.js';
import type { Logger } from '../observability/logger.js';
import { createHttpRuntime } from './http-runtime.js';
import { createPiscinaRuntime } from './piscina-runtime.js';
import type { FunctionRuntime } from './runtime.js';

export interface RuntimeRegistry {
  /** The runtime of the function with this config name, or undefined. */
  get(name: string): FunctionRuntime | undefined;
  /** Config names of every function. */
  names(): readonly string[];
  /**
   * Closes every runtime, each waiting up to `deadlineMs` ms (default 10 000) for its in-flight
   * invokes. Idempotent: returns the same promise.
   */
  close(deadlineMs?: number): Promise<void>;
}

export interface RuntimeRegistryDeps {
  readonly logger: Logger;
  /** Region of the function ARNs (and AWS_REGION seen by handlers). */
  readonly region: string;
  readonly accountId: string;
}

/** `arn:aws:lambda:<region>:<accountId>:function:<name>` */
export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

export function createRuntimeRegistry(functions: readonly FunctionSpec[], deps: RuntimeRegistryDeps): RuntimeRegistry {
  const runtimes = new Map<string, FunctionRuntime>();
  try {
    for (const spec of functions) {
      if (runtimes.has(spec.name)) throw new Error(`function ${spec.name} is defined twice`);
      const arn = functionArn(deps.region, deps.accountId, spec.name);
      runtimes.set(
        spec.name,
        spec.kind === 'handler'
          ? createPiscinaRuntime(spec, { functionArn: arn, region: deps.region, logger: deps.logger })
          : createHttpRuntime(spec, { functionArn: arn, logger: deps.logger }),
      );
    }
  } catch (err) {
    for (const rt of runtimes.values()) void rt.close(0);
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    get: (name) => runtimes.get(name),
    names: () => [...runtimes.keys()],
    close(deadlineMs) {
      closing ??= Promise.allSettled([...runtimes.values()].map((rt) => rt.close(deadlineMs))).then((rs) => {
        for (const r of rs) if (r.status === 'rejected') deps.logger.error('function runtime failed to close', { err: r.reason });
      });
      return closing;
    },
  };
}

export { createInProcessRuntime, type InProcessHandler, type InProcessRuntimeOptions } from './in-process-runtime.js';

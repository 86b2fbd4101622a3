import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigProblem } from '../core/errors.js';
import type { FunctionSpec } from '../core/functions.js';
import { keyPath } from './schema-problems.js';

/** Lambda's default timeout: 3 seconds. */
export const DEFAULT_HANDLER_TIMEOUT_SECONDS = 3;
/** A remote Lambda function enforces its own timeout; sluice waits up to Lambda's maximum. */
export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 900;
export const DEFAULT_CONCURRENCY = 10;
/** Lambda's default memory size. */
export const DEFAULT_MEMORY_MB = 128;

interface RawFunction {
  handler?: string;
  lambda?: { endpoint: string; functionName: string; qualifier?: string; region?: string };
  timeoutSeconds?: number;
  concurrency?: number;
  environment?: Record<string, string>;
  memorySizeMb?: number;
}

/**
 * Turns the (schema-checked) `functions:` section into FunctionSpecs. Handler module paths are
 * resolved against `baseDir` (the config file's folder) and must name an existing file.
 */
export function resolveFunctions(
  raw: Record<string, RawFunction> | undefined,
  ctx: { file: string; baseDir: string; region: string },
  problems: ConfigProblem[],
): FunctionSpec[] {
  const out: FunctionSpec[] = [];
  for (const [name, f] of Object.entries(raw ?? {})) {
    const at = (key?: string): string => keyPath(key ? ['functions', name, key] : ['functions', name]);
    if ((f.handler === undefined) === (f.lambda === undefined)) {
      problems.push({ file: ctx.file, path: at(), value: f, allowed: 'exactly one of handler: <module>#<export> or lambda: { endpoint, functionName }' });
      continue;
    }
    if (f.lambda) {
      let bad = false;
      for (const key of ['environment', 'memorySizeMb'] as const) {
        if (f[key] !== undefined) {
          bad = true;
          problems.push({ file: ctx.file, path: at(key), value: f[key], allowed: 'no such key for a lambda function (it applies to handler functions only)' });
        }
      }
      if (bad) continue;
      out.push({
        kind: 'lambda',
        name,
        endpoint: f.lambda.endpoint.replace(/\/+$/, ''),
        functionName: f.lambda.functionName,
        ...(f.lambda.qualifier !== undefined ? { qualifier: f.lambda.qualifier } : {}),
        timeoutSeconds: f.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS,
        concurrency: f.concurrency ?? DEFAULT_CONCURRENCY,
        region: f.lambda.region ?? ctx.region,
      });
      continue;
    }
    const handler = f.handler ?? '';
    const hash = handler.lastIndexOf('#');
    const modulePart = hash >= 0 ? handler.slice(0, hash) : handler;
    const exportName = hash >= 0 ? handler.slice(hash + 1) : 'handler';
    const modulePath = isAbsolute(modulePart) ? modulePart : resolve(ctx.baseDir, modulePart);
    if (!existsSync(modulePath) || !statSync(modulePath).isFile()) {
      problems.push({
        file: ctx.file,
        path: at('handler'),
        value: handler,
        allowed: `a module file that exists (looked for ${modulePath}; relative paths are resolved against ${ctx.baseDir})`,
      });
      continue;
    }
    out.push({
      kind: 'handler',
      name,
      modulePath,
      exportName,
      timeoutSeconds: f.timeoutSeconds ?? DEFAULT_HANDLER_TIMEOUT_SECONDS,
      concurrency: f.concurrency ?? DEFAULT_CONCURRENCY,
      environment: { ...(f.environment ?? {}) },
      memorySizeMb: f.memorySizeMb ?? DEFAULT_MEMORY_MB,
    });
  }
  return out;
}

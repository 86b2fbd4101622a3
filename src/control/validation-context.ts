import { randomUUID } from 'node:crypto';
import type { FunctionSpec } from '../core/functions.js';
import type { MappingSpec } from '../core/mapping.js';
import type { ValidationContext } from './validate-mapping.js';

/**
 * A ValidationContext from the config file's functions (for `validateMappingInput` on the config
 * file's `mappings:` entries, or tests). `existing` defaults to none; pass the entries validated so
 * far to apply the one-mapping-per-source-and-function rule across the file.
 */
export function createValidationContext(opts: {
  readonly functions: ReadonlyMap<string, FunctionSpec> | readonly FunctionSpec[] | Iterable<string>;
  readonly region: string;
  readonly accountId: string;
  readonly existing?: readonly MappingSpec[];
  readonly now?: () => number;
  readonly newUuid?: () => string;
}): ValidationContext {
  const names = new Set<string>();
  const f = opts.functions as unknown;
  if (f instanceof Map) for (const k of f.keys()) names.add(k as string);
  else for (const x of f as Iterable<FunctionSpec | string>) names.add(typeof x === 'string' ? x : x.name);
  return {
    hasFunction: (n) => names.has(n),
    region: opts.region,
    accountId: opts.accountId,
    existing: opts.existing ?? [],
    now: opts.now ?? Date.now,
    newUuid: opts.newUuid ?? randomUUID,
  };
}

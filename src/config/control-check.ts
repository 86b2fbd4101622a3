import { randomUUID } from 'node:crypto';
import type { MappingSpec } from '../core/mapping.js';
import { validateMappingInput } from '../control/validate-mapping.js';
import type { MappingCheck } from './mappings.js';

/**
 * The control plane's CreateEventSourceMapping validator as a config check. Entries are checked in
 * order against the ones before them (so two entries mapping one SQS queue to one function are a
 * ResourceConflictException, as on AWS). One instance per config file load.
 */
export function controlPlaneMappingCheck(now: () => number = Date.now): MappingCheck {
  const existing: MappingSpec[] = [];
  return (entry, _index, ctx) => {
    const spec = validateMappingInput(entry, {
      hasFunction: (name) => ctx.functions.some((f) => f.name === name),
      region: ctx.aws.region,
      accountId: ctx.aws.accountId,
      existing,
      now,
      newUuid: () => randomUUID(),
    });
    existing.push(spec);
  };
}

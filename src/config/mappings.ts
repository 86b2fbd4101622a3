import { ApiError, type ConfigProblem } from '../core/errors.js';
import type { FunctionSpec } from '../core/functions.js';
import { parseArn } from '../sources/aws-clients.js';
import type { AwsSettings } from '../sources/source.js';
import { MAPPING_PARAMETERS } from './schema.js';
import { keyPath } from './schema-problems.js';
import type { ConfigMapping } from './types.js';

export interface MappingCheckContext {
  readonly file: string;
  readonly functions: readonly FunctionSpec[];
  readonly aws: AwsSettings;
}

/**
 * Validates one mapping entry the way CreateEventSourceMapping would (the control plane's
 * validator). Throws an ApiError for an invalid entry; its message becomes the problem text.
 */
export type MappingCheck = (entry: ConfigMapping, index: number, ctx: MappingCheckContext) => void;

const SOURCE_SERVICES = new Set(['sqs', 'kinesis', 'dynamodb', 'kafka', 'mq']);

/** The function's config key from a name, `name:qualifier`, or full/partial ARN. */
export function functionKey(functionName: string): string {
  const m = /(?:^|:)function:([^:]+)/.exec(functionName);
  if (m?.[1]) return m[1];
  return functionName.split(':')[0] ?? functionName;
}

/** Checks every mapping entry; entries that pass the basic checks also go through `check`. */
export function mappingProblems(mappings: readonly ConfigMapping[], ctx: MappingCheckContext, check?: MappingCheck): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = ctx.functions.map((f) => f.name);
  mappings.forEach((m, i) => {
    const before = problems.length;
    const at = (key: string): string => keyPath(['mappings', i, key]);
    const fn = String(m.FunctionName);
    if (!names.includes(functionKey(fn))) {
      problems.push({
        file: ctx.file,
        path: at('FunctionName'),
        value: m.FunctionName,
        allowed: `the name of a function in the functions section (${names.length ? names.join(', ') : 'none configured'})`,
      });
    }
    const hasArn = m.EventSourceArn !== undefined;
    const hasSelf = m.SelfManagedEventSource !== undefined;
    if (hasArn === hasSelf) {
      problems.push({
        file: ctx.file,
        path: at(hasArn ? 'SelfManagedEventSource' : 'EventSourceArn'),
        value: hasArn ? m.SelfManagedEventSource : undefined,
        allowed: 'exactly one of EventSourceArn or SelfManagedEventSource (self-managed Kafka)',
      });
    } else if (hasArn) {
      const arn = parseArn(String(m.EventSourceArn));
      if (!arn || !SOURCE_SERVICES.has(arn.service)) {
        problems.push({
          file: ctx.file,
          path: at('EventSourceArn'),
          value: m.EventSourceArn,
          allowed: 'the ARN of an SQS queue, Kinesis stream, DynamoDB stream, MSK cluster or Amazon MQ broker',
        });
      }
    }
    if (problems.length > before || !check) return;
    try {
      check(m, i, ctx);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      problems.push(apiErrorProblem(e, m, i, ctx.file));
    }
  });
  return problems;
}

/**
 * Maps the validator's AWS-style message onto the parameter it names (AWS messages use either
 * the PascalCase name or the camelCase member name, e.g. `at 'batchSize'`).
 */
export function apiErrorProblem(e: ApiError, entry: ConfigMapping, index: number, file: string): ConfigProblem {
  const lower = e.message.toLowerCase();
  // "Value null at 'startingPosition' failed to satisfy constraint": the member may be absent.
  const member = /at '([a-zA-Z]+)'/.exec(e.message)?.[1];
  const named = member ? MAPPING_PARAMETERS.find((p) => p.toLowerCase() === member.toLowerCase()) : undefined;
  const key = named ?? Object.keys(entry)
    .filter((k) => lower.includes(k.toLowerCase()))
    .sort((a, b) => b.length - a.length)[0];
  return {
    file,
    path: keyPath(key ? ['mappings', index, key] : ['mappings', index]),
    value: key ? entry[key] : entry,
    allowed: `a valid CreateEventSourceMapping request (${e.type}: ${e.message})`,
  };
}

import { randomUUID } from 'node:crypto';
import { mappingUuid } from '../../src/core/ids.js';
import type { MappingSpec, SourceKind } from '../../src/core/mapping.js';

const DEFAULT_BATCH: Record<SourceKind, number> = { sqs: 10, kinesis: 100, dynamodb: 100, kafka: 100, rabbitmq: 100, activemq: 100 };

/**
 * A MappingSpec for tests with AWS's defaults for the kind; override any field. (Production specs
 * come from the control plane's validator; this only saves tests from spelling every field.)
 */
export function testMapping(kind: SourceKind, over: Partial<MappingSpec> = {}): MappingSpec {
  const ordered = kind === 'kinesis' || kind === 'dynamodb' || kind === 'kafka';
  const base: MappingSpec = {
    UUID: mappingUuid(randomUUID()),
    FunctionName: 'test-fn',
    FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-fn',
    sourceKind: kind,
    fifo: false,
    BatchSize: DEFAULT_BATCH[kind],
    batchingWindowMs: kind === 'kafka' || kind === 'rabbitmq' || kind === 'activemq' ? 500 : 0,
    ...(kind === 'kafka' || kind === 'rabbitmq' || kind === 'activemq' ? {} : { MaximumBatchingWindowInSeconds: 0 }),
    ...(ordered
      ? {
          StartingPosition: 'TRIM_HORIZON' as const,
          MaximumRecordAgeInSeconds: -1,
          MaximumRetryAttempts: -1,
          BisectBatchOnFunctionError: false,
        }
      : {}),
    ...(kind === 'kinesis' || kind === 'dynamodb' ? { ParallelizationFactor: 1, TumblingWindowInSeconds: 0 } : {}),
    FunctionResponseTypes: [],
    Enabled: true,
    configManaged: false,
    LastModified: Math.floor(Date.now() / 1000),
  };
  return Object.freeze({ ...base, ...over });
}

import type { MappingSpec, SourceKind } from '../core/mapping.js';
import { SourceError } from '../core/errors.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import { createDynamoDbStreamsSource } from './dynamodb/dynamodb-source.js';
import { createKafkaSource } from './kafka/kafka-source.js';
import { createKinesisSource } from './kinesis/kinesis-source.js';
import type { AwsSettings, Source, SourceFactory } from './source.js';
import { createSqsSource } from './sqs/sqs-source.js';

/** The pollers sluice has, by source kind. */
const FACTORIES: Partial<Record<SourceKind, (spec: MappingSpec) => Source>> = {
  sqs: (spec) => createSqsSource(spec),
  kafka: (spec) => createKafkaSource(spec),
  kinesis: (spec) => createKinesisSource(spec),
  dynamodb: (spec) => createDynamoDbStreamsSource(spec),
};

/** A source whose kind has no poller yet: it starts by reporting the problem, and polls nothing. */
function unsupportedSource(spec: MappingSpec): Source {
  return {
    kind: spec.sourceKind,
    async start(ctx) {
      ctx.reportProblem(`sluice has no poller for ${spec.sourceKind} sources yet`);
      throw new SourceError(`no poller for ${spec.sourceKind} sources`, {
        code: 'SOURCE_UNSUPPORTED',
        retriable: false,
        context: { mappingUuid: spec.UUID, source: spec.sourceKind },
      });
    },
    async stop() {},
  };
}

/**
 * Builds the Source for a mapping from its kind. Endpoints, region and credentials reach the
 * source through its SourceContext at start, so one factory serves every mapping.
 */
export function createSourceFactory(_deps: { aws: AwsSettings; logger: Logger; events: PipelineEventBus }): SourceFactory {
  return (spec) => (FACTORIES[spec.sourceKind] ?? unsupportedSource)(spec);
}

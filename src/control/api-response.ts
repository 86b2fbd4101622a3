import type { StoredMapping } from '../state/store.js';
import { parseArn } from '../sources/aws-clients.js';

/**
 * The EventSourceMappingConfiguration body AWS returns for a mapping: every member that applies to
 * the source with its effective value, echoed the way AWS echoes it per source (streams report an
 * empty `DestinationConfig.OnFailure`, SQS has no LastProcessingResult, Kafka/MQ omit the window
 * while it is at the 500 ms default). LastModified is epoch seconds (the SDKs parse it as a date).
 */
export function toApiResponse(stored: StoredMapping): Record<string, unknown> {
  const s = stored.spec;
  const arn = parseArn(s.FunctionArn);
  const k = s.sourceKind;
  const stream = k === 'kinesis' || k === 'dynamodb';
  const body: Record<string, unknown> = {
    UUID: s.UUID,
    ...(s.StartingPosition !== undefined ? { StartingPosition: s.StartingPosition } : {}),
    ...(s.StartingPositionTimestamp !== undefined ? { StartingPositionTimestamp: s.StartingPositionTimestamp } : {}),
    BatchSize: s.BatchSize,
    ...(s.MaximumBatchingWindowInSeconds !== undefined ? { MaximumBatchingWindowInSeconds: s.MaximumBatchingWindowInSeconds } : {}),
    ...(s.ParallelizationFactor !== undefined ? { ParallelizationFactor: s.ParallelizationFactor } : {}),
    ...(s.EventSourceArn !== undefined ? { EventSourceArn: s.EventSourceArn } : {}),
    ...(s.FilterCriteria ? { FilterCriteria: { Filters: s.FilterCriteria.Filters.map((f) => ({ Pattern: f.Pattern })) } } : {}),
    FunctionArn: s.FunctionArn,
    LastModified: s.LastModified,
    ...(k !== 'sqs' ? { LastProcessingResult: stored.lastProcessingResult } : {}),
    State: stored.state,
    StateTransitionReason: stored.stateTransitionReason,
    ...(s.DestinationConfig?.OnFailure?.Destination
      ? { DestinationConfig: { OnFailure: { Destination: s.DestinationConfig.OnFailure.Destination } } }
      : stream || k === 'kafka'
        ? { DestinationConfig: { OnFailure: {} } }
        : {}),
    ...(s.Topics ? { Topics: [...s.Topics] } : {}),
    ...(s.Queues ? { Queues: [...s.Queues] } : {}),
    ...(s.SourceAccessConfigurations ? { SourceAccessConfigurations: s.SourceAccessConfigurations.map((x) => ({ Type: x.Type, URI: x.URI })) } : {}),
    ...(s.SelfManagedEventSource
      ? { SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [...s.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS] } } }
      : {}),
    ...(s.MaximumRecordAgeInSeconds !== undefined ? { MaximumRecordAgeInSeconds: s.MaximumRecordAgeInSeconds } : {}),
    ...(s.BisectBatchOnFunctionError !== undefined ? { BisectBatchOnFunctionError: s.BisectBatchOnFunctionError } : {}),
    ...(s.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: s.MaximumRetryAttempts } : {}),
    ...(s.TumblingWindowInSeconds !== undefined ? { TumblingWindowInSeconds: s.TumblingWindowInSeconds } : {}),
    FunctionResponseTypes: [...s.FunctionResponseTypes],
    ...(s.SelfManagedKafkaEventSourceConfig ? { SelfManagedKafkaEventSourceConfig: { ...s.SelfManagedKafkaEventSourceConfig } } : {}),
    ...(s.AmazonManagedKafkaEventSourceConfig ? { AmazonManagedKafkaEventSourceConfig: { ...s.AmazonManagedKafkaEventSourceConfig } } : {}),
    ...(s.ScalingConfig ? { ScalingConfig: { ...s.ScalingConfig } } : {}),
    ...(s.MetricsConfig ? { MetricsConfig: { Metrics: [...s.MetricsConfig.Metrics] } } : {}),
    ...(arn ? { EventSourceMappingArn: `arn:${arn.partition}:lambda:${arn.region}:${arn.accountId}:event-source-mapping:${s.UUID}` } : {}),
    // Not an AWS member (the SDKs ignore it): marks mappings that come from the config file.
    ...(s.configManaged ? { ConfigManaged: true } : {}),
  };
  return body;
}

import type { MappingUuid } from './ids.js';

/** The kinds of event source sluice polls. Derived from the EventSourceArn / SelfManagedEventSource. */
export type SourceKind = 'kinesis' | 'dynamodb' | 'sqs' | 'kafka' | 'rabbitmq' | 'activemq';

export const STREAM_KINDS: readonly SourceKind[] = ['kinesis', 'dynamodb'];
/** Sources whose failed batches are retried in place, in order (AWS: streams and Kafka). */
export const ORDERED_KINDS: readonly SourceKind[] = ['kinesis', 'dynamodb', 'kafka'];

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

export interface FilterCriteria {
  readonly Filters: readonly { readonly Pattern: string }[];
}
export interface SourceAccessConfiguration {
  readonly Type: string;
  readonly URI: string;
}

/**
 * A fully-resolved event source mapping, exactly AWS's parameter names, every default filled in
 * (esm-semantics.md section 1). Produced once at the edge (API request or config file) by the
 * mapping validator, frozen; nothing inside sluice re-checks it or guesses defaults.
 */
export interface MappingSpec {
  readonly UUID: MappingUuid;
  /** The key of the function in the config file's `functions:` section. */
  readonly FunctionName: string;
  /** Full ARN, `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`. */
  readonly FunctionArn: string;
  /** Absent only for self-managed Kafka. */
  readonly EventSourceArn?: string;
  readonly sourceKind: SourceKind;
  /** SQS queue is FIFO (name ends in `.fifo`). */
  readonly fifo: boolean;
  readonly BatchSize: number;
  /** Whole seconds as AWS echoes it; undefined for Kafka/MQ when left at the 500 ms default. */
  readonly MaximumBatchingWindowInSeconds?: number;
  /** The effective window in ms (Kafka/MQ default 500). */
  readonly batchingWindowMs: number;
  readonly ParallelizationFactor?: number;
  readonly StartingPosition?: StartingPosition;
  /** Epoch seconds. */
  readonly StartingPositionTimestamp?: number;
  readonly MaximumRecordAgeInSeconds?: number;
  readonly MaximumRetryAttempts?: number;
  readonly BisectBatchOnFunctionError?: boolean;
  readonly TumblingWindowInSeconds?: number;
  readonly FunctionResponseTypes: readonly 'ReportBatchItemFailures'[];
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number };
  readonly FilterCriteria?: FilterCriteria;
  readonly DestinationConfig?: { readonly OnFailure?: { readonly Destination?: string } };
  readonly Enabled: boolean;
  readonly Topics?: readonly string[];
  readonly Queues?: readonly string[];
  readonly SelfManagedEventSource?: { readonly Endpoints: { readonly KAFKA_BOOTSTRAP_SERVERS: readonly string[] } };
  readonly SourceAccessConfigurations?: readonly SourceAccessConfiguration[];
  readonly SelfManagedKafkaEventSourceConfig?: { readonly ConsumerGroupId?: string };
  readonly AmazonManagedKafkaEventSourceConfig?: { readonly ConsumerGroupId?: string };
  readonly MetricsConfig?: { readonly Metrics: readonly string[] };
  /** Created from the config file (reported in the API as config-managed). */
  readonly configManaged: boolean;
  /** Epoch seconds of the last change. */
  readonly LastModified: number;
}

/** Per-kind view of the parameters that govern the shard pipeline, derived from a MappingSpec. */
export function isOrdered(kind: SourceKind): boolean {
  return ORDERED_KINDS.includes(kind);
}

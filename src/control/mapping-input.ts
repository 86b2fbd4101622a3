import type { FilterCriteria, SourceAccessConfiguration, StartingPosition } from '../core/mapping.js';
import { ConstraintViolations } from './api-errors.js';
import { EVENT_SOURCE_ARN_PATTERN, EVENT_SOURCE_ARN_RE } from './source-kind.js';
import { FUNCTION_NAME_PATTERN, parseFunctionRef } from './function-ref.js';
import {
  asBody, optBool, optInt, optObject, optObjectList, optString, optStringList, optTimestamp, type Body,
} from './request-fields.js';

/** A Create/UpdateEventSourceMapping request body, typed but not yet validated against the rules. */
export interface MappingInput {
  UUID?: string;
  FunctionName?: string;
  EventSourceArn?: string;
  Enabled?: boolean;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  ParallelizationFactor?: number;
  StartingPosition?: string;
  StartingPositionTimestamp?: number;
  MaximumRecordAgeInSeconds?: number;
  MaximumRetryAttempts?: number;
  BisectBatchOnFunctionError?: boolean;
  TumblingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  ScalingConfig?: { MaximumConcurrency?: number };
  FilterCriteria?: { Filters?: { Pattern?: string }[] };
  DestinationConfig?: { OnFailure?: { Destination?: string }; OnSuccess?: { Destination?: string } };
  Topics?: string[];
  Queues?: string[];
  SelfManagedEventSource?: { Endpoints?: Record<string, string[]> };
  SourceAccessConfigurations?: SourceAccessConfiguration[];
  SelfManagedKafkaEventSourceConfig?: { ConsumerGroupId?: string };
  AmazonManagedKafkaEventSourceConfig?: { ConsumerGroupId?: string };
  MetricsConfig?: { Metrics?: string[] };
}

/** Members UpdateEventSourceMapping takes; anything else in an update body is ignored, as AWS does. */
export const UPDATE_MEMBERS: readonly (keyof MappingInput)[] = [
  'FunctionName', 'Enabled', 'BatchSize', 'FilterCriteria', 'MaximumBatchingWindowInSeconds', 'DestinationConfig',
  'MaximumRecordAgeInSeconds', 'BisectBatchOnFunctionError', 'MaximumRetryAttempts', 'ParallelizationFactor',
  'SourceAccessConfigurations', 'TumblingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig',
  'SelfManagedKafkaEventSourceConfig', 'AmazonManagedKafkaEventSourceConfig', 'MetricsConfig',
];

const SOURCE_ACCESS_TYPES = [
  'BASIC_AUTH', 'VPC_SUBNET', 'VPC_SECURITY_GROUP', 'SASL_SCRAM_512_AUTH', 'SASL_SCRAM_256_AUTH', 'VIRTUAL_HOST',
  'CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE',
];
export const STARTING_POSITIONS: readonly StartingPosition[] = ['LATEST', 'AT_TIMESTAMP', 'TRIM_HORIZON'];

function definedOnly<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Reads the members of a request body with their JSON types checked (InvalidRequestContentException otherwise). */
export function readMappingInput(input: unknown): MappingInput {
  const b = asBody(input);
  const sub = (o: Body | undefined, read: (x: Body) => object): object | undefined => (o ? definedOnly(read(o)) : undefined);
  const out: MappingInput = {
    UUID: optString(b, 'UUID'),
    FunctionName: optString(b, 'FunctionName'),
    EventSourceArn: optString(b, 'EventSourceArn'),
    Enabled: optBool(b, 'Enabled'),
    BatchSize: optInt(b, 'BatchSize'),
    MaximumBatchingWindowInSeconds: optInt(b, 'MaximumBatchingWindowInSeconds'),
    ParallelizationFactor: optInt(b, 'ParallelizationFactor'),
    StartingPosition: optString(b, 'StartingPosition'),
    StartingPositionTimestamp: optTimestamp(b, 'StartingPositionTimestamp'),
    MaximumRecordAgeInSeconds: optInt(b, 'MaximumRecordAgeInSeconds'),
    MaximumRetryAttempts: optInt(b, 'MaximumRetryAttempts'),
    BisectBatchOnFunctionError: optBool(b, 'BisectBatchOnFunctionError'),
    TumblingWindowInSeconds: optInt(b, 'TumblingWindowInSeconds'),
    FunctionResponseTypes: optStringList(b, 'FunctionResponseTypes'),
    ScalingConfig: sub(optObject(b, 'ScalingConfig'), (o) => ({ MaximumConcurrency: optInt(o, 'MaximumConcurrency') })),
    FilterCriteria: sub(optObject(b, 'FilterCriteria'), (o) => ({
      Filters: optObjectList(o, 'Filters')?.map((f) => definedOnly({ Pattern: optString(f, 'Pattern') })),
    })),
    DestinationConfig: sub(optObject(b, 'DestinationConfig'), (o) => ({
      OnFailure: sub(optObject(o, 'OnFailure'), (x) => ({ Destination: optString(x, 'Destination') })),
      OnSuccess: sub(optObject(o, 'OnSuccess'), (x) => ({ Destination: optString(x, 'Destination') })),
    })),
    Topics: optStringList(b, 'Topics'),
    Queues: optStringList(b, 'Queues'),
    SelfManagedEventSource: sub(optObject(b, 'SelfManagedEventSource'), (o) => {
      const ep = optObject(o, 'Endpoints');
      const Endpoints: Record<string, string[]> = {};
      if (ep) for (const k of Object.keys(ep)) Endpoints[k] = optStringList(ep, k) ?? [];
      return { Endpoints: ep ? Endpoints : undefined };
    }),
    SourceAccessConfigurations: optObjectList(b, 'SourceAccessConfigurations')?.map((o) => ({
      Type: optString(o, 'Type') ?? '',
      URI: optString(o, 'URI') ?? '',
    })),
    SelfManagedKafkaEventSourceConfig: sub(optObject(b, 'SelfManagedKafkaEventSourceConfig'), (o) => ({ ConsumerGroupId: optString(o, 'ConsumerGroupId') })),
    AmazonManagedKafkaEventSourceConfig: sub(optObject(b, 'AmazonManagedKafkaEventSourceConfig'), (o) => ({ ConsumerGroupId: optString(o, 'ConsumerGroupId') })),
    MetricsConfig: sub(optObject(b, 'MetricsConfig'), (o) => ({ Metrics: optStringList(o, 'Metrics') })),
  };
  return definedOnly(out);
}

/**
 * AWS's model constraints (ranges, lengths, enums, patterns), reported together as one
 * ValidationException "N validation error(s) detected: …" exactly as the Lambda API does.
 */
export function checkModelConstraints(i: MappingInput, op: 'create' | 'update'): void {
  const v = new ConstraintViolations();
  if (op === 'create' && i.FunctionName === undefined) v.add(null, 'functionName', 'Member must not be null');
  if (i.FunctionName !== undefined) {
    v.lengthRange(i.FunctionName, 'functionName', 1, 140);
    if (i.FunctionName.length > 0 && !parseFunctionRef(i.FunctionName)) {
      v.add(i.FunctionName, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
    }
  }
  if (i.EventSourceArn !== undefined) {
    v.lengthRange(i.EventSourceArn, 'eventSourceArn', 12, 1024);
    if (!EVENT_SOURCE_ARN_RE.test(i.EventSourceArn)) {
      v.add(i.EventSourceArn, 'eventSourceArn', `Member must satisfy regular expression pattern: ${EVENT_SOURCE_ARN_PATTERN}`);
    }
  }
  v.range(i.BatchSize, 'batchSize', 1, 10000);
  v.range(i.MaximumBatchingWindowInSeconds, 'maximumBatchingWindowInSeconds', 0, 300);
  v.range(i.ParallelizationFactor, 'parallelizationFactor', 1, 10);
  if (i.StartingPosition !== undefined && !STARTING_POSITIONS.includes(i.StartingPosition as StartingPosition)) {
    v.add(i.StartingPosition, 'startingPosition', `Member must satisfy enum value set: [${STARTING_POSITIONS.join(', ')}]`);
  }
  v.range(i.MaximumRecordAgeInSeconds, 'maximumRecordAgeInSeconds', -1, 604800);
  v.range(i.MaximumRetryAttempts, 'maximumRetryAttempts', -1, 10000);
  v.range(i.TumblingWindowInSeconds, 'tumblingWindowInSeconds', 0, 900);
  if (i.FunctionResponseTypes !== undefined) {
    v.lengthRange(i.FunctionResponseTypes, 'functionResponseTypes', 0, 1);
    if (i.FunctionResponseTypes.some((t) => t !== 'ReportBatchItemFailures')) {
      v.add(i.FunctionResponseTypes, 'functionResponseTypes', 'Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]');
    }
  }
  v.range(i.ScalingConfig?.MaximumConcurrency, 'scalingConfig.maximumConcurrency', 2, 1000);
  i.FilterCriteria?.Filters?.forEach((f, n) => v.lengthRange(f.Pattern, `filterCriteria.filters.${n + 1}.member.pattern`, 0, 4096));
  if (i.DestinationConfig?.OnFailure?.Destination !== undefined) {
    v.lengthRange(i.DestinationConfig.OnFailure.Destination, 'destinationConfig.onFailure.destination', 0, 350);
  }
  if (i.Topics !== undefined) {
    v.lengthRange(i.Topics, 'topics', 1, 1);
    i.Topics.forEach((t, n) => {
      v.lengthRange(t, `topics.${n + 1}.member`, 1, 249);
      if (t.length > 0 && !/^[^.]([a-zA-Z0-9\-_.]+)$/.test(t)) v.add(t, `topics.${n + 1}.member`, 'Member must satisfy regular expression pattern: ^[^.]([a-zA-Z0-9\\-_.]+)');
    });
  }
  if (i.Queues !== undefined) {
    v.lengthRange(i.Queues, 'queues', 1, 1);
    i.Queues.forEach((q, n) => v.lengthRange(q, `queues.${n + 1}.member`, 1, 1000));
  }
  if (i.SourceAccessConfigurations !== undefined) {
    v.lengthRange(i.SourceAccessConfigurations, 'sourceAccessConfigurations', 0, 22);
    i.SourceAccessConfigurations.forEach((s, n) => {
      if (!SOURCE_ACCESS_TYPES.includes(s.Type)) {
        v.add(s.Type, `sourceAccessConfigurations.${n + 1}.member.type`, `Member must satisfy enum value set: [${SOURCE_ACCESS_TYPES.join(', ')}]`);
      }
    });
  }
  const kafkaGroup = (i.SelfManagedKafkaEventSourceConfig ?? i.AmazonManagedKafkaEventSourceConfig)?.ConsumerGroupId;
  if (kafkaGroup !== undefined) {
    const path = i.SelfManagedKafkaEventSourceConfig ? 'selfManagedKafkaEventSourceConfig.consumerGroupId' : 'amazonManagedKafkaEventSourceConfig.consumerGroupId';
    v.lengthRange(kafkaGroup, path, 1, 200);
    if (kafkaGroup.length > 0 && !/^[a-zA-Z0-9-/*:_+=.@-]*$/.test(kafkaGroup)) v.add(kafkaGroup, path, 'Member must satisfy regular expression pattern: [a-zA-Z0-9-\\/*:_+=.@-]*');
  }
  if (i.MetricsConfig?.Metrics !== undefined && i.MetricsConfig.Metrics.some((m) => m !== 'EventCount')) {
    v.add(i.MetricsConfig.Metrics, 'metricsConfig.metrics', 'Member must satisfy constraint: [Member must satisfy enum value set: [EventCount]]');
  }
  v.throwIfAny();
}

export type { FilterCriteria };

import { ApiError } from '../core/errors.js';
import { mappingUuid } from '../core/ids.js';
import type { FilterCriteria, MappingSpec, SourceKind, StartingPosition } from '../core/mapping.js';
import { invalidParameter } from './api-errors.js';
import { functionArn, parseFunctionRef } from './function-ref.js';
import { checkModelConstraints, readMappingInput, UPDATE_MEMBERS, type MappingInput } from './mapping-input.js';
import { KIND_LABEL, sourceFromArn, type ResolvedSource } from './source-kind.js';
import { checkDuplicate } from './duplicate-rule.js';
import { checkFilterCriteria } from './filter-check.js';

/** What the validator needs to know about the world. */
export interface ValidationContext {
  /** True when the config file defines a function with this name. */
  hasFunction(name: string): boolean;
  readonly region: string;
  readonly accountId: string;
  /** Every mapping that exists now (for the one-mapping-per-source-and-function rule). */
  readonly existing: readonly MappingSpec[];
  /** Epoch milliseconds (StartingPositionTimestamp may not be in the future; LastModified). */
  now(): number;
  /** A fresh mapping UUID. */
  newUuid(): string;
  /** Amazon MQ: which engine a broker ARN runs, when known (see sourceFromArn). */
  mqKind?(arn: string): 'rabbitmq' | 'activemq' | undefined;
}

const STREAMS: readonly SourceKind[] = ['kinesis', 'dynamodb'];
const RETRYING: readonly SourceKind[] = ['kinesis', 'dynamodb', 'kafka'];
const MQ: readonly SourceKind[] = ['rabbitmq', 'activemq'];

/** AWS's wording for a member that does not apply to the source type. */
const unsupported = (param: string): ApiError => invalidParameter(`Unsupported ${param} parameter for given event source mapping type.`);

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v as object)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Per-source applicability of members, then the cross-member rules; returns the effective spec. */
function resolve(
  i: MappingInput,
  src: ResolvedSource,
  base: { UUID: string; configManaged: boolean; existing?: MappingSpec },
  ctx: ValidationContext,
): MappingSpec {
  const k = src.kind;
  const label = KIND_LABEL[k];
  if (i.DestinationConfig?.OnSuccess !== undefined) throw unsupported('DestinationConfig');

  // Starting position: required for streams and Kafka, not valid for queues.
  if (!base.existing) {
    if (k === 'sqs' || MQ.includes(k)) {
      if (i.StartingPosition !== undefined || i.StartingPositionTimestamp !== undefined) {
        throw invalidParameter(`StartingPosition is not valid for ${label} event sources.`);
      }
    } else {
      if (i.StartingPosition === undefined) {
        throw invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
      }
      if (k === 'dynamodb' && i.StartingPosition === 'AT_TIMESTAMP') {
        throw invalidParameter(`Unsupported starting position for arn type: ${i.EventSourceArn ?? ''}`);
      }
      if (i.StartingPositionTimestamp !== undefined && i.StartingPosition !== 'AT_TIMESTAMP') {
        throw invalidParameter('Timestamp only valid with StartingPosition AT_TIMESTAMP');
      }
      if (i.StartingPosition === 'AT_TIMESTAMP') {
        if (i.StartingPositionTimestamp === undefined) throw invalidParameter('StartingPositionTimestamp must be specified when StartingPosition is AT_TIMESTAMP');
        if (i.StartingPositionTimestamp * 1000 > ctx.now()) throw invalidParameter('StartingPositionTimestamp cannot be in the future');
      }
    }
  }

  // Members that only some sources take.
  if (!STREAMS.includes(k)) {
    if (i.ParallelizationFactor !== undefined) throw unsupported('ParallelizationFactor');
    if (i.TumblingWindowInSeconds !== undefined) throw unsupported('TumblingWindowInSeconds');
  }
  if (!RETRYING.includes(k)) {
    if (i.MaximumRecordAgeInSeconds !== undefined) throw unsupported('MaximumRecordAgeInSeconds');
    if (i.MaximumRetryAttempts !== undefined) throw unsupported('MaximumRetryAttempts');
    if (i.BisectBatchOnFunctionError !== undefined) throw unsupported('BisectBatchOnFunctionError');
    if (i.DestinationConfig?.OnFailure?.Destination !== undefined) throw unsupported('DestinationConfig');
  }
  if (MQ.includes(k) && i.FunctionResponseTypes !== undefined && i.FunctionResponseTypes.length > 0) throw unsupported('FunctionResponseTypes');
  if (k !== 'sqs' && i.ScalingConfig !== undefined) throw unsupported('ScalingConfig');
  if (k !== 'kafka' && i.Topics !== undefined) throw unsupported('Topics');
  if (!MQ.includes(k) && i.Queues !== undefined) throw unsupported('Queues');
  if (k !== 'kafka' && !MQ.includes(k) && i.SourceAccessConfigurations !== undefined) throw unsupported('SourceAccessConfigurations');
  if (!(k === 'kafka' && !src.managedKafka) && i.SelfManagedKafkaEventSourceConfig !== undefined) throw unsupported('SelfManagedKafkaEventSourceConfig');
  if (!(k === 'kafka' && src.managedKafka) && i.AmazonManagedKafkaEventSourceConfig !== undefined) throw unsupported('AmazonManagedKafkaEventSourceConfig');

  if (k === 'kafka' && (i.Topics === undefined || i.Topics.length !== 1)) {
    throw invalidParameter("1 validation error detected: Value null at 'topics' failed to satisfy constraint: Member must not be null.");
  }
  if (MQ.includes(k) && (i.Queues === undefined || i.Queues.length !== 1)) {
    throw invalidParameter("1 validation error detected: Value null at 'queues' failed to satisfy constraint: Member must not be null.");
  }
  if (k === 'kafka' && !src.managedKafka) {
    const servers = i.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS;
    if (!servers || servers.length === 0 || servers.some((s) => !/^[^\s:]+:\d{1,5}$/.test(s))) {
      throw invalidParameter('Invalid SelfManagedEventSource Endpoints. KAFKA_BOOTSTRAP_SERVERS must be a list of host:port');
    }
  }

  // OnFailure destination: an SQS queue, SNS topic or S3 bucket ARN; Kafka also `kafka://<topic>`.
  const dest = i.DestinationConfig?.OnFailure?.Destination;
  if (dest !== undefined && dest !== '' && !isDestination(dest, k)) {
    throw invalidParameter(`The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=${dest})) is invalid.`);
  }

  // Record age: -1, or 60..604800.
  if (i.MaximumRecordAgeInSeconds !== undefined && i.MaximumRecordAgeInSeconds >= 0 && i.MaximumRecordAgeInSeconds < 60) {
    throw invalidParameter('MaximumRecordAgeInSeconds must be -1 or between 60 and 604800');
  }

  // Batching.
  const batchSize = i.BatchSize ?? (k === 'sqs' ? 10 : 100);
  const queueOrStream = k === 'sqs' || STREAMS.includes(k);
  const windowS = i.MaximumBatchingWindowInSeconds ?? (queueOrStream ? 0 : undefined);
  if (k === 'sqs' && src.fifo) {
    if (batchSize > 10) throw invalidParameter('Batch size for FIFO queues must be between 1 and 10');
    if ((windowS ?? 0) > 0) throw invalidParameter('Batching window is not supported for FIFO queues');
  }
  if (k === 'sqs' && batchSize > 10 && (windowS ?? 0) === 0) {
    throw invalidParameter('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
  }

  // Filters.
  const filters = i.FilterCriteria?.Filters;
  let filterCriteria: FilterCriteria | undefined;
  if (filters && filters.length > 0) {
    filterCriteria = { Filters: filters.map((f) => ({ Pattern: f.Pattern ?? '' })) };
    checkFilterCriteria(filterCriteria);
  }

  // Function: a name, partial or full ARN, with an optional qualifier.
  const ref = parseFunctionRef(i.FunctionName ?? '');
  if (!ref || !ctx.hasFunction(ref.name) || (ref.region && ref.region !== ctx.region) || (ref.accountId && ref.accountId !== ctx.accountId)) {
    throw invalidParameter('Function does not exist');
  }

  const ordered = RETRYING.includes(k);
  const spec: MappingSpec = {
    UUID: mappingUuid(base.UUID),
    FunctionName: ref.name,
    FunctionArn: functionArn(ctx.region, ctx.accountId, ref.name, ref.qualifier),
    ...(i.EventSourceArn !== undefined ? { EventSourceArn: i.EventSourceArn } : {}),
    sourceKind: k,
    fifo: src.fifo,
    BatchSize: batchSize,
    ...(windowS !== undefined ? { MaximumBatchingWindowInSeconds: windowS } : {}),
    batchingWindowMs: windowS !== undefined ? windowS * 1000 : (base.existing?.batchingWindowMs ?? 500),
    ...(STREAMS.includes(k) ? { ParallelizationFactor: i.ParallelizationFactor ?? 1, TumblingWindowInSeconds: i.TumblingWindowInSeconds ?? 0 } : {}),
    ...(i.StartingPosition !== undefined ? { StartingPosition: i.StartingPosition as StartingPosition } : {}),
    ...(i.StartingPositionTimestamp !== undefined ? { StartingPositionTimestamp: i.StartingPositionTimestamp } : {}),
    ...(ordered
      ? {
          MaximumRecordAgeInSeconds: i.MaximumRecordAgeInSeconds ?? -1,
          MaximumRetryAttempts: i.MaximumRetryAttempts ?? -1,
          BisectBatchOnFunctionError: i.BisectBatchOnFunctionError ?? false,
        }
      : {}),
    FunctionResponseTypes: (i.FunctionResponseTypes ?? []) as 'ReportBatchItemFailures'[],
    ...(i.ScalingConfig?.MaximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: i.ScalingConfig.MaximumConcurrency } } : {}),
    ...(filterCriteria ? { FilterCriteria: filterCriteria } : {}),
    ...(i.DestinationConfig?.OnFailure?.Destination ? { DestinationConfig: { OnFailure: { Destination: i.DestinationConfig.OnFailure.Destination } } } : {}),
    Enabled: i.Enabled ?? true,
    ...(i.Topics ? { Topics: i.Topics } : {}),
    ...(i.Queues ? { Queues: i.Queues } : {}),
    ...(k === 'kafka' && !src.managedKafka
      ? { SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: i.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS ?? [] } } }
      : {}),
    ...(i.SourceAccessConfigurations ? { SourceAccessConfigurations: i.SourceAccessConfigurations } : {}),
    ...(i.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId ? { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: i.SelfManagedKafkaEventSourceConfig.ConsumerGroupId } } : {}),
    ...(i.AmazonManagedKafkaEventSourceConfig?.ConsumerGroupId ? { AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: i.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId } } : {}),
    ...(i.MetricsConfig?.Metrics && i.MetricsConfig.Metrics.length > 0 ? { MetricsConfig: { Metrics: i.MetricsConfig.Metrics } } : {}),
    configManaged: base.configManaged,
    LastModified: Math.floor(ctx.now() / 1000),
  };
  return deepFreeze(spec);
}

/**
 * AWS's destination kinds (SQS, SNS, S3; `kafka://topic` for Kafka) plus sluice's two self-hosted
 * kinds: an absolute `file:///path` (JSON lines) and an `http(s)://` webhook.
 */
function isDestination(d: string, k: SourceKind): boolean {
  if (k === 'kafka' && /^kafka:\/\/[a-zA-Z0-9._-]+$/.test(d)) return true;
  if (/^file:\/\/\/[^\0]+$/.test(d)) return true;
  if (/^https?:\/\/[^\s/]+(\/\S*)?$/.test(d)) return true;
  return /^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[^:/]+$/.test(d) || /^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:\d{12}:[^:/]+$/.test(d) || /^arn:aws[a-zA-Z-]*:s3:::[^/]+$/.test(d);
}

function resolveSource(i: MappingInput, ctx: ValidationContext): ResolvedSource {
  if (i.SelfManagedEventSource !== undefined) {
    if (i.EventSourceArn !== undefined) throw invalidParameter('Unrecognized event source.');
    return { kind: 'kafka', fifo: false, managedKafka: false };
  }
  if (i.EventSourceArn === undefined) throw invalidParameter('Unrecognized event source.');
  const hasVirtualHost = (i.SourceAccessConfigurations ?? []).some((s) => s.Type === 'VIRTUAL_HOST');
  const src = sourceFromArn(i.EventSourceArn, { hasVirtualHost, mqKind: ctx.mqKind?.bind(ctx) });
  if (!src) throw invalidParameter('Unrecognized event source.');
  return src;
}

/** CreateEventSourceMapping: validates a request body into a resolved, frozen MappingSpec. */
export function validateCreate(input: unknown, ctx: ValidationContext, opts: { configManaged?: boolean; allowUuid?: boolean } = {}): MappingSpec {
  const i = readMappingInput(input);
  if (!opts.allowUuid) delete i.UUID;
  checkModelConstraints(i, 'create');
  const src = resolveSource(i, ctx);
  const spec = resolve(i, src, { UUID: i.UUID ?? ctx.newUuid(), configManaged: opts.configManaged ?? false }, ctx);
  checkDuplicate(spec, ctx.existing);
  return spec;
}

/**
 * A `mappings:` entry of the config file: the same rules as CreateEventSourceMapping, plus an
 * optional fixed `UUID`; the result is marked config-managed.
 */
export function validateMappingInput(input: unknown, ctx: ValidationContext): MappingSpec {
  return validateCreate(input, ctx, { configManaged: true, allowUuid: true });
}

/** The request members equivalent to an existing spec (what an update starts from). */
function specAsInput(s: MappingSpec): MappingInput {
  const o: MappingInput = {
    FunctionName: s.FunctionArn,
    EventSourceArn: s.EventSourceArn,
    Enabled: s.Enabled,
    BatchSize: s.BatchSize,
    MaximumBatchingWindowInSeconds: s.MaximumBatchingWindowInSeconds,
    ParallelizationFactor: s.ParallelizationFactor,
    StartingPosition: s.StartingPosition,
    StartingPositionTimestamp: s.StartingPositionTimestamp,
    MaximumRecordAgeInSeconds: s.MaximumRecordAgeInSeconds,
    MaximumRetryAttempts: s.MaximumRetryAttempts,
    BisectBatchOnFunctionError: s.BisectBatchOnFunctionError,
    TumblingWindowInSeconds: s.TumblingWindowInSeconds,
    FunctionResponseTypes: [...s.FunctionResponseTypes],
    ScalingConfig: s.ScalingConfig ? { ...s.ScalingConfig } : undefined,
    FilterCriteria: s.FilterCriteria ? { Filters: s.FilterCriteria.Filters.map((f) => ({ ...f })) } : undefined,
    DestinationConfig: s.DestinationConfig?.OnFailure ? { OnFailure: { ...s.DestinationConfig.OnFailure } } : undefined,
    Topics: s.Topics ? [...s.Topics] : undefined,
    Queues: s.Queues ? [...s.Queues] : undefined,
    SelfManagedEventSource: s.SelfManagedEventSource ? { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [...s.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS] } } : undefined,
    SourceAccessConfigurations: s.SourceAccessConfigurations?.map((x) => ({ ...x })),
    SelfManagedKafkaEventSourceConfig: s.SelfManagedKafkaEventSourceConfig ? { ...s.SelfManagedKafkaEventSourceConfig } : undefined,
    AmazonManagedKafkaEventSourceConfig: s.AmazonManagedKafkaEventSourceConfig ? { ...s.AmazonManagedKafkaEventSourceConfig } : undefined,
    MetricsConfig: s.MetricsConfig ? { Metrics: [...s.MetricsConfig.Metrics] } : undefined,
  };
  for (const key of Object.keys(o) as (keyof MappingInput)[]) if (o[key] === undefined) delete o[key];
  return o;
}

/**
 * UpdateEventSourceMapping: applies the members an update takes to `existing` and validates the
 * result with the same rules as create. The UUID, source and position never change; `{}` /
 * `{"Filters":[]}` clears FilterCriteria, `{"OnFailure":{}}` clears the destination.
 */
export function validateUpdate(existing: MappingSpec, input: unknown, ctx: ValidationContext): MappingSpec {
  const raw = readMappingInput(input);
  const upd: MappingInput = {};
  for (const key of UPDATE_MEMBERS) if (raw[key] !== undefined) (upd as Record<string, unknown>)[key] = raw[key];
  checkModelConstraints(upd, 'update');
  const merged: MappingInput = { ...specAsInput(existing), ...upd };
  if (upd.DestinationConfig !== undefined && upd.DestinationConfig.OnFailure?.Destination === undefined && upd.DestinationConfig.OnSuccess === undefined) {
    delete merged.DestinationConfig;
  }
  const src: ResolvedSource = { kind: existing.sourceKind, fifo: existing.fifo, managedKafka: existing.sourceKind === 'kafka' && existing.SelfManagedEventSource === undefined };
  const next = resolve(merged, src, { UUID: existing.UUID, configManaged: existing.configManaged, existing }, ctx);
  if (next.FunctionArn !== existing.FunctionArn) checkDuplicate(next, ctx.existing.filter((m) => m.UUID !== existing.UUID));
  return next;
}

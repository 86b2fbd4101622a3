/**
 * The record an OnFailure destination receives for discarded stream / Kafka records — exactly
 * AWS's shape (esm-semantics.md §7; the "invocation record" of the Kinesis, DynamoDB and Kafka
 * on-failure destination pages):
 * `{requestContext{requestId, functionArn, condition, approximateInvokeCount}, responseContext{statusCode,
 * executedVersion, functionError}, version "1.0", timestamp, KinesisBatchInfo | DDBStreamBatchInfo | KafkaBatchInfo}`.
 * `responseContext` is absent for RecordAgeExceeded (and whenever the records were never invoked).
 * `functionError` is "Unhandled" for a function error (AWS reports the X-Amz-Function-Error value,
 * not the error's name) and absent for a response-level failure (an invalid or partial
 * batchItemFailures response) and for throttles.
 */
import type { ShardId } from '../core/ids.js';
import type { FailureCondition, PlanError } from '../failure/batch-plan.js';
import type { PolledRecord } from '../sources/source.js';

/** Kafka also reports `MaximumPayloadSizeExceeded` (a single record over the invoke size cap). */
export type OnFailureCondition = FailureCondition | 'MaximumPayloadSizeExceeded';

export interface RequestContext {
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: OnFailureCondition;
  readonly approximateInvokeCount: number;
}
export interface ResponseContext {
  readonly statusCode: number;
  readonly executedVersion: string;
  readonly functionError?: string;
}
export interface StreamBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly batchSize: number;
  readonly streamArn: string;
}
export interface KafkaRecordsInfo {
  readonly firstRecordOffset: string;
  readonly lastRecordOffset: string;
  readonly firstRecordTimestamp: string;
  readonly lastRecordTimestamp: string;
}
export interface KafkaBatchInfo {
  readonly batchSize: number;
  readonly bootstrapServers: string;
  readonly payloadSize: number;
  readonly recordsInfo: Readonly<Record<string, KafkaRecordsInfo>>;
}
export interface OnFailureRecord {
  readonly requestContext: RequestContext;
  readonly responseContext?: ResponseContext;
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KinesisBatchInfo?: StreamBatchInfo;
  readonly DDBStreamBatchInfo?: StreamBatchInfo;
  readonly KafkaBatchInfo?: KafkaBatchInfo;
}

export interface OnFailureInput {
  readonly kind: 'kinesis' | 'dynamodb' | 'kafka';
  /** The request id of the last invoke of these records (a fresh UUID when never invoked). */
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: OnFailureCondition;
  /** PlanStep 'on-failure'.attempts. */
  readonly approximateInvokeCount: number;
  /** PlanStep 'on-failure'.lastError. */
  readonly lastError?: PlanError;
  /** Default `$LATEST`. */
  readonly executedVersion?: string;
  /** When the record is written (epoch ms). */
  readonly nowMs: number;
  readonly shardId: ShardId;
  /** Kinesis / DynamoDB stream ARN. */
  readonly streamArn?: string;
  /** The discarded records, in shard order (at least one). */
  readonly records: readonly PolledRecord[];
  /** Kafka: the mapping's bootstrap servers. */
  readonly bootstrapServers?: readonly string[];
  /** Kafka: byte size of the invocation payload; default the sum of the records' payloadBytes. */
  readonly payloadSize?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** DynamoDB reports arrival times with second precision (`2019-11-14T00:13:19Z`). */
const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function responseContextOf(lastError: PlanError | undefined, condition: OnFailureCondition, executedVersion: string): ResponseContext | undefined {
  if (condition !== 'RetryAttemptsExhausted' || lastError === undefined) return undefined;
  const functionError =
    lastError.errorType === 'Handled' ? 'Handled' : lastError.errorType !== '' && lastError.statusCode < 300 ? 'Unhandled' : undefined;
  return { statusCode: lastError.statusCode, executedVersion, ...(functionError ? { functionError } : {}) };
}

function streamInfo(input: OnFailureInput, fmt: (ms: number) => string): StreamBatchInfo {
  const first = input.records[0];
  const last = input.records[input.records.length - 1];
  if (!first || !last) throw new Error('an on-failure record needs at least one record');
  return {
    shardId: input.shardId,
    startSequenceNumber: first.id,
    endSequenceNumber: last.id,
    approximateArrivalOfFirstRecord: fmt(first.arrivalMs),
    approximateArrivalOfLastRecord: fmt(last.arrivalMs),
    batchSize: input.records.length,
    streamArn: input.streamArn ?? '',
  };
}

interface KafkaEventFields {
  topic?: unknown;
  partition?: unknown;
  offset?: unknown;
  timestamp?: unknown;
}

function kafkaInfo(input: OnFailureInput): KafkaBatchInfo {
  const groups = new Map<string, { first: PolledRecord; last: PolledRecord }>();
  for (const r of input.records) {
    const e = (r.event ?? {}) as KafkaEventFields;
    const key = `${String(e.topic)}-${String(e.partition)}`;
    const g = groups.get(key);
    if (g) g.last = r;
    else groups.set(key, { first: r, last: r });
  }
  const ts = (r: PolledRecord): string => {
    const t = (r.event as KafkaEventFields | undefined)?.timestamp;
    return iso(typeof t === 'number' ? t : r.arrivalMs);
  };
  const recordsInfo: Record<string, KafkaRecordsInfo> = {};
  for (const [key, g] of groups) {
    recordsInfo[key] = { firstRecordOffset: g.first.id, lastRecordOffset: g.last.id, firstRecordTimestamp: ts(g.first), lastRecordTimestamp: ts(g.last) };
  }
  return {
    batchSize: input.records.length,
    bootstrapServers: (input.bootstrapServers ?? []).join(','),
    payloadSize: input.payloadSize ?? input.records.reduce((n, r) => n + r.payloadBytes, 0),
    recordsInfo,
  };
}

export function buildOnFailureRecord(input: OnFailureInput): OnFailureRecord {
  const responseContext = responseContextOf(input.lastError, input.condition, input.executedVersion ?? '$LATEST');
  const head = {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    ...(responseContext ? { responseContext } : {}),
    version: '1.0' as const,
    timestamp: iso(input.nowMs),
  };
  switch (input.kind) {
    case 'kinesis':
      return { ...head, KinesisBatchInfo: streamInfo(input, iso) };
    case 'dynamodb':
      return { ...head, DDBStreamBatchInfo: streamInfo(input, isoSeconds) };
    case 'kafka':
      return { ...head, KafkaBatchInfo: kafkaInfo(input) };
  }
}

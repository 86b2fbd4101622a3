/**
 * Adapts a Destination to the shard pipeline's FailureHandler (src/pipeline/failure-route.ts):
 * builds AWS's on-failure record from the pipeline's FailureInfo, plus the invocation payload of
 * the discarded records for destinations that carry it (S3, Kafka).
 */
import { randomUUID } from 'node:crypto';
import type { MappingSpec } from '../core/mapping.js';
import type { FailureHandler, FailureInfo } from '../pipeline/failure-route.js';
import type { PolledRecord } from '../sources/source.js';
import type { Destination } from './destination.js';
import { buildOnFailureRecord } from './failure-record.js';

/** The function event of `records` (AWS shape, esm-semantics.md §6), used as the S3/Kafka `payload`. */
export function invocationPayload(mapping: MappingSpec, records: readonly PolledRecord[], bootstrapServers: readonly string[]): unknown {
  if (mapping.sourceKind !== 'kafka') return { Records: records.map((r) => r.event) };
  const byPartition: Record<string, unknown[]> = {};
  for (const r of records) {
    const e = (r.event ?? {}) as { topic?: unknown; partition?: unknown };
    (byPartition[`${String(e.topic)}-${String(e.partition)}`] ??= []).push(r.event);
  }
  return mapping.EventSourceArn
    ? { eventSource: 'aws:kafka', eventSourceArn: mapping.EventSourceArn, bootstrapServers: bootstrapServers.join(','), records: byPartition }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: bootstrapServers.join(','), records: byPartition };
}

export function createFailureHandler(
  dest: Destination,
  opts: {
    /** Kafka bootstrap servers of the mapping (MSK: from the aws settings). Default: the mapping's self-managed endpoints. */
    readonly bootstrapServers?: readonly string[];
    /** `executedVersion` in responseContext; default `$LATEST`. */
    readonly executedVersion?: string;
  } = {},
): FailureHandler {
  return {
    destination: dest.target,
    async deliver(info: FailureInfo, signal: AbortSignal): Promise<void> {
      const kind = info.mapping.sourceKind;
      if (kind !== 'kinesis' && kind !== 'dynamodb' && kind !== 'kafka') {
        throw new Error(`on-failure records exist for streams and Kafka only, not ${kind}`);
      }
      const bootstrapServers = opts.bootstrapServers ?? info.mapping.SelfManagedEventSource?.Endpoints.KAFKA_BOOTSTRAP_SERVERS ?? [];
      const record = buildOnFailureRecord({
        kind,
        requestId: info.requestId ?? randomUUID(),
        functionArn: info.mapping.FunctionArn,
        condition: info.condition,
        approximateInvokeCount: info.attempts,
        ...(info.lastError ? { lastError: info.lastError } : {}),
        ...(opts.executedVersion ? { executedVersion: opts.executedVersion } : {}),
        nowMs: info.timestamp,
        shardId: info.shardId,
        ...(info.mapping.EventSourceArn ? { streamArn: info.mapping.EventSourceArn } : {}),
        records: info.records,
        bootstrapServers,
        payloadSize: info.payloadBytes,
      });
      await dest.deliver(
        { record, mappingUuid: info.mapping.UUID, shardId: info.shardId, payload: invocationPayload(info.mapping, info.records, bootstrapServers) },
        signal,
      );
    },
  };
}

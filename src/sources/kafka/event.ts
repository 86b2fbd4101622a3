/**
 * Kafka records as the function sees them (esm-semantics.md §6, "Kafka"): the batch of one
 * topic-partition under `records["<topic>-<partition>"]`, keys and values base64, header values as
 * byte arrays. A null key is omitted from the record; a null value (tombstone) is omitted too.
 */
import type { KafkaMessage } from 'kafkajs';
import { recordId } from '../../core/ids.js';
import { jsonByteLength } from '../../batching/payload-size.js';
import type { EventEnvelope, PolledRecord } from '../source.js';

export interface KafkaEventRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key?: string;
  value?: string;
  headers: Record<string, number[]>[];
}

/** How the mapping's events identify their source. */
export interface KafkaEventSource {
  /** 'SelfManagedKafka' or 'aws:kafka' (MSK). */
  readonly eventSource: 'SelfManagedKafka' | 'aws:kafka';
  /** MSK cluster ARN (MSK only). */
  readonly eventSourceArn?: string;
  /** `host:port,host:port` */
  readonly bootstrapServers: string;
}

function headerList(h: KafkaMessage['headers']): Record<string, number[]>[] {
  const out: Record<string, number[]>[] = [];
  if (!h) return out;
  for (const [name, v] of Object.entries(h)) {
    const values = Array.isArray(v) ? v : [v];
    for (const one of values) {
      if (one === undefined) continue;
      const bytes = typeof one === 'string' ? Buffer.from(one, 'utf8') : one;
      out.push({ [name]: Array.from(bytes) });
    }
  }
  return out;
}

/**
 * One record. kafkajs does not expose the record batch's timestamp type; the batch attribute bit
 * is read by the caller (`logAppendTime`) where known, CREATE_TIME otherwise.
 */
export function kafkaEventRecord(topic: string, partition: number, m: KafkaMessage, logAppendTime = false): KafkaEventRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    timestampType: logAppendTime ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
    ...(m.key != null ? { key: m.key.toString('base64') } : {}),
    ...(m.value != null ? { value: m.value.toString('base64') } : {}),
    headers: headerList(m.headers),
  };
}

/** id = offset (decimal string); partitionKey = the shard (`topic-partition`); ref = offset as bigint. */
export function kafkaPolledRecord(shard: string, topic: string, partition: number, m: KafkaMessage, logAppendTime = false): PolledRecord {
  const event = kafkaEventRecord(topic, partition, m, logAppendTime);
  return {
    id: recordId(m.offset),
    partitionKey: shard,
    arrivalMs: event.timestamp,
    payloadBytes: jsonByteLength(event),
    event,
    ref: BigInt(m.offset),
  };
}

/** `{"eventSource", ["eventSourceArn",] "bootstrapServers", "records": {"<topic>-<partition>": [...]}}` */
export function kafkaEnvelope(shard: string, src: KafkaEventSource): EventEnvelope {
  const wrap = (records: readonly PolledRecord[]): unknown => ({
    eventSource: src.eventSource,
    ...(src.eventSourceArn !== undefined ? { eventSourceArn: src.eventSourceArn } : {}),
    bootstrapServers: src.bootstrapServers,
    records: { [shard]: records.map((r) => r.event) },
  });
  return Object.freeze({ overheadBytes: jsonByteLength(wrap([])), wrap });
}

/**
 * Kafka records as the function sees them (esm-semantics.md §6, "Kafka"): the batch of one
 * topic-partition under `records["<topic>-<partition>"]`, keys and values base64, header values as
 * byte arrays. A null key is omitted from the record; a null value (tombstone) is omitted too.
 */
import type { KafkaMessage } from 'kafkajs';
import { recordId } from '../../core/ids.js';
import { jsonStringByteLength } from '../../batching/payload-size.js';
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
  for (const name in h) {
    if (!Object.hasOwn(h, name)) continue;
    const v = h[name];
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
  // One object literal per shape, in the event's key order (no spreads and no properties added
  // later: this runs once per record, and a literal is allocated with its final shape).
  const offset = Number(m.offset);
  const timestamp = Number(m.timestamp);
  const timestampType = logAppendTime ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
  const headers = headerList(m.headers);
  if (m.key != null) {
    const key = m.key.toString('base64');
    return m.value != null
      ? { topic, partition, offset, timestamp, timestampType, key, value: m.value.toString('base64'), headers }
      : { topic, partition, offset, timestamp, timestampType, key, headers };
  }
  return m.value != null
    ? { topic, partition, offset, timestamp, timestampType, value: m.value.toString('base64'), headers }
    : { topic, partition, offset, timestamp, timestampType, headers };
}

const b64Len = (s: string | undefined): number => (s === undefined ? 0 : s.length);
/** Powers of ten up to 1e15, all exact doubles. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Digits of a non-negative safe integer (offsets, timestamps, partitions) without making a string. */
function numLen(n: number): number {
  if (n < 0 || !Number.isSafeInteger(n)) return String(n).length;
  let d = 1;
  while (d < 16 && n >= POW10[d]!) d++;
  return d;
}

/**
 * Exact byte length of JSON.stringify(record), computed from the parts (base64 and digits need no
 * escaping; only the topic and header names go through the JSON string measure). Kept equal to
 * jsonByteLength(record) by the unit tests.
 */
export function kafkaRecordBytes(r: KafkaEventRecord, topicBytes = jsonStringByteLength(r.topic)): number {
  let n =
    9 + topicBytes + // {"topic":T
    13 + numLen(r.partition) + // ,"partition":P
    10 + numLen(r.offset) + // ,"offset":O
    13 + numLen(r.timestamp) + // ,"timestamp":TS
    17 + r.timestampType.length + 2 + // ,"timestampType":"..."
    11 + // ,"headers":
    1; // }
  if (r.key !== undefined) n += 7 + b64Len(r.key) + 2; // ,"key":"..."
  if (r.value !== undefined) n += 9 + b64Len(r.value) + 2; // ,"value":"..."
  let h = 2; // []
  for (let i = 0; i < r.headers.length; i++) {
    if (i > 0) h += 1;
    for (const [name, bytes] of Object.entries(r.headers[i]!)) {
      h += 2 + jsonStringByteLength(name) + 1; // {"name":...}
      let arr = 2 + Math.max(0, bytes.length - 1);
      for (const b of bytes) arr += b < 10 ? 1 : b < 100 ? 2 : 3;
      h += arr;
    }
  }
  return n + h;
}

/** id = offset (decimal string); partitionKey = the shard (`topic-partition`); ref = offset as bigint. */
export function kafkaPolledRecord(
  shard: string,
  topic: string,
  partition: number,
  m: KafkaMessage,
  logAppendTime = false,
  topicBytes = jsonStringByteLength(topic),
): PolledRecord {
  const event = kafkaEventRecord(topic, partition, m, logAppendTime);
  return {
    id: recordId(m.offset),
    partitionKey: shard,
    arrivalMs: event.timestamp,
    payloadBytes: kafkaRecordBytes(event, topicBytes),
    event,
    // From the parsed number when it is exact (about twice as fast as parsing the string again).
    ref: Number.isSafeInteger(event.offset) ? BigInt(event.offset) : BigInt(m.offset),
  };
}

/** The records of one fetched batch of a partition, in order (the topic is measured once). */
export function kafkaPolledRecords(shard: string, topic: string, partition: number, messages: readonly KafkaMessage[], logAppendTime = false): PolledRecord[] {
  const topicBytes = jsonStringByteLength(topic);
  const out = new Array<PolledRecord>(messages.length);
  for (let i = 0; i < messages.length; i++) out[i] = kafkaPolledRecord(shard, topic, partition, messages[i]!, logAppendTime, topicBytes);
  return out;
}

/** `{"eventSource", ["eventSourceArn",] "bootstrapServers", "records": {"<topic>-<partition>": [...]}}` */
export function kafkaEnvelope(shard: string, src: KafkaEventSource): EventEnvelope {
  const wrap = (records: readonly PolledRecord[]): unknown => ({
    eventSource: src.eventSource,
    ...(src.eventSourceArn !== undefined ? { eventSourceArn: src.eventSourceArn } : {}),
    bootstrapServers: src.bootstrapServers,
    records: { [shard]: records.map((r) => r.event) },
  });
  return Object.freeze({ overheadBytes: Buffer.byteLength(JSON.stringify(wrap([]))), wrap });
}

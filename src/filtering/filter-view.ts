/**
 * The object a filter pattern is matched against, per source (AWS event filtering):
 * - SQS: the record with `body` parsed when it is JSON (`body` is the key AWS documents; the
 *   record's metadata fields are kept, as the record has them);
 * - Kinesis: the `kinesis` fields at the top level next to the record's metadata, with `data`
 *   decoded from base64 (parsed when the text is JSON);
 * - DynamoDB: the record as it is (`dynamodb`, `eventName`, …);
 * - Kafka: the record with `key` and `value` decoded from base64 (parsed when JSON);
 * - Amazon MQ (RabbitMQ, ActiveMQ): the message with `data` decoded (parsed when JSON).
 * Text that is not JSON is matched as a string. Numbers keep their written form (exact-json.ts).
 */
import type { SourceKind } from '../core/mapping.js';
import { tryParseExactJson } from './exact-json.js';

/** Decoded text, parsed as JSON when it is valid JSON. */
export function dataValue(text: string): unknown {
  const r = tryParseExactJson(text);
  return r.ok ? r.value : text;
}

function decodeBase64(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return dataValue(Buffer.from(v, 'base64').toString('utf8'));
}

export function filterView(kind: SourceKind, eventRecord: unknown): unknown {
  if (typeof eventRecord !== 'object' || eventRecord === null) return eventRecord;
  const rec = eventRecord as Record<string, unknown>;
  switch (kind) {
    case 'sqs':
      return typeof rec.body === 'string' ? { ...rec, body: dataValue(rec.body) } : rec;
    case 'kinesis': {
      const k = rec.kinesis;
      if (typeof k !== 'object' || k === null) return rec;
      const { kinesis: _omit, ...meta } = rec;
      const inner = k as Record<string, unknown>;
      return { ...meta, ...inner, data: decodeBase64(inner.data) };
    }
    case 'dynamodb':
      return rec;
    case 'kafka':
      return { ...rec, key: decodeBase64(rec.key), value: decodeBase64(rec.value) };
    case 'rabbitmq':
    case 'activemq':
      return { ...rec, data: decodeBase64(rec.data) };
  }
}

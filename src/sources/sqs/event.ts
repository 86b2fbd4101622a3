/**
 * SQS messages as the function sees them (esm-semantics.md §6, "SQS"): one record per message,
 * built and measured once at receive time.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { recordId } from '../../core/ids.js';
import { jsonByteLength } from '../../batching/payload-size.js';
import type { EventEnvelope, PolledRecord } from '../source.js';
import { recordsEnvelope } from '../records-envelope.js';

export interface SqsMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsMessageAttribute>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** System attributes in the order AWS's events list them; anything else the queue returns follows. */
const ATTRIBUTE_ORDER = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
] as const;

const b64 = (v: Uint8Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

function messageAttribute(a: MessageAttributeValue): SqsMessageAttribute {
  return {
    ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
    ...(a.BinaryValue !== undefined ? { binaryValue: b64(a.BinaryValue) } : {}),
    stringListValues: a.StringListValues ? [...a.StringListValues] : [],
    binaryListValues: a.BinaryListValues ? a.BinaryListValues.map(b64) : [],
    dataType: a.DataType ?? 'String',
  };
}

/** The event record for one received message. */
export function sqsEventRecord(m: Message, queueArn: string, region: string): SqsEventRecord {
  const src = m.Attributes ?? {};
  const attributes: Record<string, string> = {};
  for (const k of ATTRIBUTE_ORDER) {
    const v = src[k];
    if (v !== undefined) attributes[k] = v;
  }
  for (const [k, v] of Object.entries(src)) if (!(k in attributes) && v !== undefined) attributes[k] = v;
  const messageAttributes: Record<string, SqsMessageAttribute> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) messageAttributes[k] = messageAttribute(v);
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * A received message as a PolledRecord: id = messageId; partitionKey = MessageGroupId on FIFO
 * queues (ordering per group), the messageId otherwise (no ordering); arrival = SentTimestamp;
 * ref = the receipt handle (what delete and visibility changes need).
 */
export function sqsPolledRecord(m: Message, queueArn: string, region: string, fifo: boolean, now: number): PolledRecord {
  const event = sqsEventRecord(m, queueArn, region);
  const sent = Number(event.attributes.SentTimestamp);
  return {
    id: recordId(event.messageId),
    partitionKey: fifo ? (event.attributes.MessageGroupId ?? event.messageId) : event.messageId,
    arrivalMs: Number.isFinite(sent) ? sent : now,
    payloadBytes: jsonByteLength(event),
    event,
    ref: event.receiptHandle,
  };
}

/** `{"Records":[...]}` */
export const sqsEnvelope: EventEnvelope = recordsEnvelope;

/** The receipt handle a record carries. */
export function receiptHandleOf(r: PolledRecord): string {
  return typeof r.ref === 'string' ? r.ref : (r.event as SqsEventRecord).receiptHandle;
}

/**
 * DynamoDB Streams records in the exact shape AWS Lambda gives the function (esm-semantics.md §6):
 * `{"Records":[{"eventID","eventName","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion",
 * "dynamodb":{...},"eventSourceARN"}]}`. Images the stream view type does not carry are omitted.
 */
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { recordId } from '../../core/ids.js';
import { jsonByteLength } from '../../batching/payload-size.js';
import type { EventEnvelope, PolledRecord } from '../source.js';
import { recordsEnvelope } from '../records-envelope.js';
import { canonicalJson, toJsonItem, type JsonItem } from './attribute-value.js';

export interface DynamoDbEvent {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime?: number;
    readonly Keys?: JsonItem;
    readonly NewImage?: JsonItem;
    readonly OldImage?: JsonItem;
    readonly SequenceNumber: string;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
  };
  /** TTL deletions: `{"type":"Service","principalId":"dynamodb.amazonaws.com"}`. */
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
  readonly eventSourceARN: string;
}

/** `{"Records":[...]}`; 14 bytes with no records. */
export const dynamoDbEnvelope: EventEnvelope = recordsEnvelope;

export function toDynamoDbRecord(r: _Record, ec: { awsRegion: string; eventSourceARN: string }, nowMs: number): PolledRecord {
  const d = r.dynamodb ?? {};
  const seq = d.SequenceNumber ?? '';
  const created = d.ApproximateCreationDateTime?.getTime();
  const keys = d.Keys ? toJsonItem(d.Keys) : undefined;
  const event: DynamoDbEvent = {
    eventID: r.eventID ?? '',
    eventName: r.eventName ?? '',
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? ec.awsRegion,
    dynamodb: {
      ...(created !== undefined ? { ApproximateCreationDateTime: created / 1000 } : {}),
      ...(keys ? { Keys: keys } : {}),
      ...(d.NewImage ? { NewImage: toJsonItem(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: toJsonItem(d.OldImage) } : {}),
      SequenceNumber: seq,
      ...(d.SizeBytes !== undefined ? { SizeBytes: d.SizeBytes } : {}),
      ...(d.StreamViewType ? { StreamViewType: d.StreamViewType } : {}),
    },
    ...(r.userIdentity ? { userIdentity: { ...(r.userIdentity.Type ? { type: r.userIdentity.Type } : {}), ...(r.userIdentity.PrincipalId ? { principalId: r.userIdentity.PrincipalId } : {}) } } : {}),
    eventSourceARN: ec.eventSourceARN,
  };
  return {
    id: recordId(seq),
    partitionKey: keys ? canonicalJson(keys) : seq,
    arrivalMs: created ?? nowMs,
    payloadBytes: jsonByteLength(event),
    event,
  };
}

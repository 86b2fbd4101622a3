/**
 * Kinesis records in the exact shape AWS Lambda gives the function (esm-semantics.md §6):
 * `{"Records":[{"kinesis":{...},"eventSource":"aws:kinesis",...}]}`.
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import { recordId, type ShardId } from '../../core/ids.js';
import { jsonByteLength } from '../../batching/payload-size.js';
import type { EventEnvelope, PolledRecord } from '../source.js';
import { recordsEnvelope } from '../records-envelope.js';

/** The per-stream fields every record of the stream carries. */
export interface KinesisEventContext {
  readonly awsRegion: string;
  readonly eventSourceARN: string;
  readonly invokeIdentityArn: string;
}

export interface KinesisEvent {
  readonly kinesis: {
    readonly kinesisSchemaVersion: '1.0';
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    readonly data: string;
    readonly approximateArrivalTimestamp: number;
  };
  readonly eventSource: 'aws:kinesis';
  readonly eventVersion: '1.0';
  readonly eventID: string;
  readonly eventName: 'aws:kinesis:record';
  readonly invokeIdentityArn: string;
  readonly awsRegion: string;
  readonly eventSourceARN: string;
}

/** `{"Records":[...]}`; 14 bytes with no records. */
export const kinesisEnvelope: EventEnvelope = recordsEnvelope;

/** Converts one GetRecords record. `nowMs` stands in for a missing arrival timestamp. */
export function toKinesisRecord(r: _Record, shard: ShardId, ec: KinesisEventContext, nowMs: number): PolledRecord {
  const seq = r.SequenceNumber ?? '';
  const arrivalMs = r.ApproximateArrivalTimestamp?.getTime() ?? nowMs;
  const data = r.Data ? Buffer.from(r.Data.buffer, r.Data.byteOffset, r.Data.byteLength).toString('base64') : '';
  const partitionKey = r.PartitionKey ?? '';
  const event: KinesisEvent = {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber: seq,
      data,
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shard}:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: ec.invokeIdentityArn,
    awsRegion: ec.awsRegion,
    eventSourceARN: ec.eventSourceARN,
  };
  return { id: recordId(seq), partitionKey, arrivalMs, payloadBytes: jsonByteLength(event), event };
}

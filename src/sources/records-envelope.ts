/**
 * The `{"Records":[...]}` event envelope that AWS Lambda uses for SQS, Kinesis and DynamoDB
 * Streams batches (esm-semantics.md §6): each record's event in poll order. 14 bytes with no records.
 */
import type { EventEnvelope, PolledRecord } from './source.js';

export const recordsEnvelope: EventEnvelope = Object.freeze({
  overheadBytes: 14,
  wrap: (records: readonly PolledRecord[]) => ({ Records: records.map((r) => r.event) }),
});

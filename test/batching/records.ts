import { recordId } from '../../src/core/ids.js';
import type { EventEnvelope, PolledRecord } from '../../src/sources/source.js';
import { jsonByteLength } from '../../src/batching/payload-size.js';

/** A record with an event `{ n, key, data }`; `payloadBytes` exact, or forced to `bytes`. */
export function rec(n: number, key = 'k', opts: { bytes?: number; data?: string; arrivalMs?: number } = {}): PolledRecord {
  const event = { n, key, data: opts.data ?? '' };
  return {
    id: recordId(String(n).padStart(8, '0')),
    partitionKey: key,
    arrivalMs: opts.arrivalMs ?? 1_700_000_000_000,
    payloadBytes: opts.bytes ?? jsonByteLength(event),
    event,
  };
}

/** `{"Records":[...]}` like SQS/Kinesis/DynamoDB. */
export const recordsEnvelope: EventEnvelope = {
  overheadBytes: Buffer.byteLength(JSON.stringify({ Records: [] })),
  wrap: (records) => ({ Records: records.map((r) => r.event) }),
};

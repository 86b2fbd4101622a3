import type { EventEnvelope } from '../../src/sources/source.js';

/** The Kinesis/DynamoDB-style envelope `{ Records: [...] }` around each record's event. */
export const recordsEnvelope: EventEnvelope = {
  overheadBytes: Buffer.byteLength(JSON.stringify({ Records: [] })),
  wrap: (records) => ({ Records: records.map((r) => r.event) }),
};

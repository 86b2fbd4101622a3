/**
 * An in-memory StreamApi for unit tests of the shared shard logic (reader, coordinator): shards
 * with records, parents and a closed flag; every call recorded; failures injected per call.
 * Integration tests use the real servers; this only drives pure control flow.
 */
import { recordId, shardId, type ShardId } from '../../../src/core/ids.js';
import type { PolledRecord } from '../../../src/sources/source.js';
import type { ApiFailureKind, IteratorStart, ReadResult, ShardDescription, StreamApi } from '../../../src/sources/shards/stream-api.js';

export interface FakeShardSpec {
  readonly id: string;
  readonly parent?: string;
  readonly adjacent?: string;
  closed?: boolean;
  /** Sequence numbers are `${id}-${index}` with index zero-padded; data is the key. */
  readonly records: { readonly key: string; readonly atMs?: number }[];
}

export type FakeCall =
  | { op: 'listShards' }
  | { op: 'getIterator'; shard: string; start: IteratorStart }
  | { op: 'getRecords'; shard: string; pos: number };

export class FakeStreamError extends Error {
  constructor(name: string) {
    super(name);
    this.name = name;
  }
}

const seqOf = (shard: string, i: number): string => `${shard}-${String(i).padStart(6, '0')}`;

export function createFakeStream(shards: FakeShardSpec[], opts: { limit?: number; supportsTimestamp?: boolean } = {}) {
  const calls: FakeCall[] = [];
  /** Throw this error (by AWS name) on the next matching call(s). */
  const failures: { op: FakeCall['op']; name: string; times: number }[] = [];
  const limit = opts.limit ?? 2;
  const maybeFail = (op: FakeCall['op']): void => {
    const f = failures.find((x) => x.op === op && x.times > 0);
    if (f) {
      f.times--;
      throw new FakeStreamError(f.name);
    }
  };
  const byId = (id: string): FakeShardSpec => {
    const s = shards.find((x) => x.id === id);
    if (!s) throw new FakeStreamError('ResourceNotFoundException');
    return s;
  };
  const record = (s: FakeShardSpec, i: number): PolledRecord => ({
    id: recordId(seqOf(s.id, i)),
    partitionKey: s.records[i]!.key,
    arrivalMs: s.records[i]!.atMs ?? 0,
    payloadBytes: 2,
    event: { shard: s.id, i },
  });
  const api: StreamApi = {
    envelope: { overheadBytes: 14, wrap: (r) => ({ Records: r.map((x) => x.event) }) },
    supportsTimestamp: opts.supportsTimestamp ?? true,
    label: 'Fake stream',
    async listShards() {
      calls.push({ op: 'listShards' });
      maybeFail('listShards');
      return shards.map(
        (s): ShardDescription => ({
          shardId: shardId(s.id),
          ...(s.parent ? { parentShardId: shardId(s.parent) } : {}),
          ...(s.adjacent ? { adjacentParentShardId: shardId(s.adjacent) } : {}),
          hasEndingSequence: !!s.closed,
        }),
      );
    },
    async getIterator(shard: ShardId, start: IteratorStart) {
      calls.push({ op: 'getIterator', shard, start });
      maybeFail('getIterator');
      const s = byId(shard);
      let pos = 0;
      if (start.type === 'LATEST') pos = s.records.length;
      if (start.type === 'AT_TIMESTAMP') pos = Math.max(0, s.records.findIndex((r) => (r.atMs ?? 0) >= start.timestampMs));
      if (start.type === 'AFTER_SEQUENCE_NUMBER') pos = s.records.findIndex((_, i) => seqOf(s.id, i) === start.sequenceNumber) + 1;
      return JSON.stringify({ shard, pos });
    },
    async getRecords(shard: ShardId, iterator: string): Promise<ReadResult> {
      const { pos } = JSON.parse(iterator) as { pos: number };
      calls.push({ op: 'getRecords', shard, pos });
      maybeFail('getRecords');
      const s = byId(shard);
      const end = Math.min(s.records.length, pos + limit);
      const records = Array.from({ length: end - pos }, (_, k) => record(s, pos + k));
      const atEnd = end >= s.records.length;
      return {
        records,
        nextIterator: atEnd && s.closed ? null : JSON.stringify({ shard, pos: end }),
        behind: !atEnd,
        iteratorAgeMs: 0,
      };
    },
    classify(err: unknown): ApiFailureKind {
      const name = (err as Error).name;
      if (name === 'ProvisionedThroughputExceededException') return 'throttled';
      if (name === 'ResourceNotFoundException') return 'notFound';
      if (name === 'ExpiredIteratorException') return 'iterator';
      return 'other';
    },
    close() {},
  };
  return { api, calls, failures, seqOf };
}

/**
 * Resharding: SplitShard then MergeShards while records are written. Every record is delivered
 * once, a parent's records all come before its children's, and each key keeps its order.
 * On kinesalite (fast) and kinesis-local (higher fidelity).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { MergeShardsCommand, PutRecordCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisSource } from '../../../src/sources/kinesis/kinesis-source.js';
import type { PolledRecord } from '../../../src/sources/source.js';
import { createFakeSourceContext, MemoryCheckpoints } from '../../support/fake-source-context.js';
import { startKinesalite, type KinesisTestServer } from '../../support/kinesalite.js';
import { startKinesisLocal } from '../../support/kinesis-local.js';
import { testMapping } from '../../support/mapping.js';
import { waitFor } from '../../support/wait.js';
import { createStream, kinesisClient, listShards, putRecords, waitForActive } from './helpers.js';

const MID_HASH = '170141183460469231731687303715884105728';
const shardOf = (r: PolledRecord): string => (r.event as { eventID: string }).eventID.split(':')[0]!;
const dataOf = (r: PolledRecord): string => Buffer.from((r.event as { kinesis: { data: string } }).kinesis.data, 'base64').toString();

/** Writes `key:n` records one by one (keys round-robin) until stopped; returns what was written. */
function startWriter(kinesis: KinesisClient, StreamName: string, keys: number): { stop(): Promise<string[]>; count(): number } {
  const written: string[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const data = `k${i % keys}:${Math.floor(i / keys)}`;
      for (;;) {
        try {
          await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: `k${i % keys}`, Data: Buffer.from(data) }));
          break;
        } catch {
          // the stream is updating: retry the same record so each key keeps its order
        }
      }
      written.push(data);
    }
  })();
  return {
    count: () => written.length,
    stop: async () => {
      stopped = true;
      await loop;
      return written;
    },
  };
}

async function splitThenMergeWhileWriting(server: KinesisTestServer, opts: { minPerPhase: number; timeoutMs: number }): Promise<void> {
  const kinesis = kinesisClient(server);
  try {
    const name = await createStream(kinesis, 1, 'reshard');
    const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name) });
    const checkpoints = new MemoryCheckpoints();
    const ctx = createFakeSourceContext({ mapping, aws: server.aws, checkpoints });
    const source = createKinesisSource(mapping, { pacing: { idleMaxMs: 200 } });
    await source.start(ctx);
    try {
      const writer = startWriter(kinesis, name, 6);
      const phase = async (): Promise<void> => {
        const target = writer.count() + opts.minPerPhase;
        await waitFor(() => writer.count() >= target, { timeoutMs: opts.timeoutMs });
      };
      await phase();
      const [root] = await listShards(kinesis, name);
      await kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: root!.ShardId, NewStartingHashKey: MID_HASH }));
      await waitForActive(kinesis, name);
      await phase();
      const children = (await listShards(kinesis, name)).filter((s) => s.ParentShardId === root!.ShardId);
      assert.equal(children.length, 2);
      await kinesis.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: children[0]!.ShardId, AdjacentShardToMerge: children[1]!.ShardId }));
      await waitForActive(kinesis, name);
      await phase();
      const written = await writer.stop();
      await waitFor(() => ctx.all.length >= written.length, { timeoutMs: opts.timeoutMs, message: `${written.length} records delivered` });

      const delivered = ctx.all.map(dataOf);
      assert.equal(delivered.length, written.length, 'each record once');
      assert.deepEqual([...delivered].sort(), [...written].sort());
      const last = new Map<string, number>();
      for (const d of delivered) {
        const [k, n] = d.split(':') as [string, string];
        assert.ok((last.get(k) ?? -1) < Number(n), `order of ${k}`);
        last.set(k, Number(n));
      }
      const all = await listShards(kinesis, name);
      const merged = all.find((s) => s.ParentShardId && s.AdjacentParentShardId)!;
      assert.ok(merged, 'merged shard listed');
      const pos = (id: string): number[] => ctx.all.flatMap((r, i) => (shardOf(r) === id ? [i] : []));
      const lastOf = (id: string): number => Math.max(-1, ...pos(id));
      const firstOf = (id: string): number => Math.min(Infinity, ...pos(id));
      for (const c of children) assert.ok(lastOf(root!.ShardId!) < firstOf(c.ShardId!), `${root!.ShardId} before ${c.ShardId}`);
      for (const c of children) assert.ok(lastOf(c.ShardId!) < firstOf(merged.ShardId!), `${c.ShardId} before ${merged.ShardId}`);
      assert.ok(pos(merged.ShardId!).length > 0, 'the merged shard delivered records');
      await waitFor(async () => {
        const cps = await checkpoints.list(mapping.UUID);
        return [root!, ...children].every((s) => cps.find((c) => c.shardId === s.ShardId)?.status === 'finished');
      }, { message: 'parents finished' });
    } finally {
      await source.stop();
    }
  } finally {
    kinesis.destroy();
  }
}

describe('Kinesis resharding', () => {
  test('kinesalite: split then merge while writing — every record once, parents first, per-key order', async (t) => {
    const server = await startKinesalite();
    t.after(() => server.close());
    await splitThenMergeWhileWriting(server, { minPerPhase: 60, timeoutMs: 20_000 });
  });

  test('kinesalite: a child shard does not start while its parent has unfinished records', async (t) => {
    const server = await startKinesalite();
    t.after(() => server.close());
    const kinesis = kinesisClient(server);
    t.after(() => kinesis.destroy());
    const name = await createStream(kinesis, 1, 'hold');
    const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name) });
    const checkpoints = new MemoryCheckpoints();
    const ctx = createFakeSourceContext({ mapping, aws: server.aws, checkpoints, policy: 'hold' });
    const source = createKinesisSource(mapping, { pacing: { idleMaxMs: 200 }, discoveryIntervalMs: 100 });
    await source.start(ctx);
    t.after(() => source.stop({ deadlineMs: 200 }));
    await putRecords(kinesis, name, [{ key: 'a', data: '1' }]);
    const [root] = await listShards(kinesis, name);
    await kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: root!.ShardId, NewStartingHashKey: MID_HASH }));
    await waitForActive(kinesis, name);
    await putRecords(kinesis, name, [{ key: 'a', data: '2' }]);
    // The parent reached its end: closed, drain asked for, but its record is not finished.
    await waitFor(async () => (await checkpoints.get(mapping.UUID, root!.ShardId as never))?.status === 'closed');
    const parent = ctx.shards.get(root!.ShardId as never)!;
    await waitFor(() => parent.closed === 'drain' && parent.shardEnded);
    // Several discovery rounds later the listed children still have not been opened.
    assert.equal((await listShards(kinesis, name)).length, 3);
    const rounds = server.requestCount('ListShards');
    await waitFor(() => server.requestCount('ListShards') >= rounds + 4, { message: 'four more discovery rounds' });
    assert.equal(ctx.shards.size, 1, 'only the parent was opened');
    assert.deepEqual(ctx.all.map(dataOf), ['1']);
  });

  test('kinesis-local: split then merge while writing — every record once, parents first, per-key order', async (t) => {
    const server = await startKinesisLocal();
    t.after(() => server.close());
    await splitThenMergeWhileWriting(server, { minPerPhase: 20, timeoutMs: 60_000 });
  });
});

/**
 * Partition shards under read-ahead and revokes (pure: the fake source context stands in for the
 * pipeline, commits are recorded instead of sent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import { shardId } from '../../../src/core/ids.js';
import { kafkaPolledRecords } from '../../../src/sources/kafka/event.js';
import { PartitionShard } from '../../../src/sources/kafka/partition-shard.js';
import { PartitionShards } from '../../../src/sources/kafka/partition-shards.js';
import type { PolledRecord } from '../../../src/sources/source.js';
import { kafkaContext, kafkaMapping } from './helpers.js';

const SOURCE = { eventSource: 'SelfManagedKafka', bootstrapServers: 'b:9092' } as const;

function messages(from: number, n: number): KafkaMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    offset: String(from + i),
    timestamp: '1700000000000',
    key: null,
    value: Buffer.from(`v${from + i}`),
    headers: {},
    attributes: 0,
    size: 0,
  })) as unknown as KafkaMessage[];
}

function setup(partition = 0) {
  const ctx = kafkaContext(kafkaMapping(['b:9092'], 't'), 'hold');
  const commits: bigint[] = [];
  const seeks: [number, bigint][] = [];
  const shards = new PartitionShards({ seek: (_t, p, o) => seeks.push([p, o]) });
  const open = (p = partition): PartitionShard => {
    const s = new PartitionShard({ ctx, topic: 't', partition: p, source: SOURCE, commit: async (o) => void commits.push(o) });
    shards.add(s);
    return s;
  };
  /** What the source does per fetched batch: push, then note the offsets handed over. */
  const push = async (s: PartitionShard, from: number, n: number): Promise<PolledRecord[]> => {
    const records = kafkaPolledRecords(s.key, 't', s.partition, messages(from, n));
    await s.sink.push(records);
    s.pushed(records[0]!.ref as bigint, records[records.length - 1]!.ref as bigint);
    return records;
  };
  return { ctx, commits, seeks, shards, open, push };
}

test('read ahead: three batches buffered, a checkpoint inside the first commits only up to it', async () => {
  const { ctx, commits, open, push } = setup();
  const s = open();
  const a = await push(s, 0, 10);
  await push(s, 10, 10);
  await push(s, 20, 10);
  assert.equal(ctx.shards.get(shardId('t-0'))!.records.length, 30, 'all three batches were accepted unsettled');
  assert.deepEqual(commits, [], 'nothing committed before a checkpoint');
  await ctx.shards.get(shardId('t-0'))!.committer.checkpoint(a[4]!);
  assert.deepEqual(commits, [5n], 'the commit stops after the settled record (offset 4 → 5)');
  assert.equal(s.resumeOffset, 5n, 'a revoke now would read again from the first unfinished offset');
});

test('a shard whose every pushed record was committed needs no seek back', async () => {
  const { ctx, commits, open, push } = setup();
  const s = open();
  assert.equal(s.resumeOffset, undefined, 'nothing pushed');
  const r = await push(s, 7, 3);
  assert.equal(s.resumeOffset, 7n, 'nothing committed: back to the first pushed offset');
  await ctx.shards.get(shardId('t-0'))!.committer.checkpoint(r[2]!);
  assert.deepEqual(commits, [10n]);
  assert.equal(s.resumeOffset, undefined);
});

test('abandonAll (a rejoin no handler held): buffered, uninvoked records are never committed', async () => {
  const { ctx, commits, shards, open, push } = setup();
  const s0 = open(0);
  const s1 = open(1);
  const r0 = await push(s0, 0, 5);
  const r1 = await push(s1, 0, 5);
  shards.abandonAll();
  assert.equal(s0.owned, false);
  assert.equal(s1.owned, false);
  assert.equal(shards.size, 0, 'no shard of the old generation stays open');
  assert.equal(ctx.shards.get(shardId('t-0'))!.closed, 'abandon');
  assert.equal(ctx.shards.get(shardId('t-1'))!.closed, 'abandon');
  // An invoke that was in flight finishes after the revoke: its checkpoint must not commit.
  await ctx.shards.get(shardId('t-0'))!.committer.checkpoint(r0[4]!);
  await ctx.shards.get(shardId('t-1'))!.committer.checkpoint(r1[2]!);
  assert.deepEqual(commits, []);
  await s0.whenClosed();
});

test('revoke: a drained shard closes cleanly; one that does not finish in time is abandoned and sought back', async () => {
  const { ctx, commits, seeks, shards, open, push } = setup();
  const done = open(0);
  const stuck = open(1);
  ctx.policy = 'checkpoint'; // partition 0's records finish as they are pushed
  await push(done, 0, 4);
  ctx.policy = 'hold';
  const rs = await push(stuck, 100, 4);
  await push(stuck, 104, 4); // read ahead of the unsettled records
  await ctx.shards.get(shardId('t-1'))!.committer.checkpoint(rs[1]!); // 100, 101 finished
  assert.deepEqual(commits, [4n, 102n]);

  const revoking = shards.revoke(200);
  assert.ok(shards.revoking, 'handlers see the revoke while it drains');
  assert.equal(shards.revoke(200), revoking, 'idempotent while running');
  // The shard's deadline timer is unref'd (it must not hold a process open): keep this test's
  // event loop alive until the revoke ends.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await revoking;
  } finally {
    clearInterval(keepAlive);
  }

  assert.equal(ctx.shards.get(shardId('t-0'))!.closed, 'drain', 'the finished shard was drained, not abandoned');
  assert.equal(ctx.shards.get(shardId('t-1'))!.closed, 'abandon', 'the stuck shard was abandoned after the deadline');
  assert.equal(shards.revoking, undefined);
  assert.equal(shards.size, 0);
  assert.equal(done.owned, false);
  assert.equal(stuck.owned, false);
  assert.deepEqual(seeks, [[1, 102n]], 'only the unfinished partition is read again, from its first unfinished offset');
  // The stuck records finish late: nothing more is committed for the revoked partition.
  await ctx.shards.get(shardId('t-1'))!.committer.checkpoint(rs[3]!);
  assert.deepEqual(commits, [4n, 102n]);
});

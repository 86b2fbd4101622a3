/** The SQS source on FIFO queues against local-aws-sqs. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../support/wait.js';
import { createSqsSource } from '../../../src/sources/sqs/sqs-source.js';
import type { SqsEventRecord } from '../../../src/sources/sqs/event.js';
import { shardId } from '../../../src/core/ids.js';
import type { PolledRecord } from '../../../src/sources/source.js';
import { useSqsServer, createQueue, queueCounts, sendAll, sqsContext } from './helpers.js';

const FAST = { waitTimeSeconds: 1 } as const;

describe('SQS source (FIFO queue)', { concurrency: true }, () => {
  const env = useSqsServer();

  test('FIFO event attributes; partitionKey is the MessageGroupId', async (t) => {
    const q = await createQueue(env.sqs, { fifo: true });
    const [id] = await sendAll(env.sqs, q.url, [{ MessageBody: 'f', MessageGroupId: 'grp-1', MessageDeduplicationId: 'dedup-1' }]);
    const ctx = sqsContext(env.server, q, 'hold');
    assert.equal(ctx.mapping.fifo, true);
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = await waitFor(() => ctx.shards.get(shardId(q.arn)));
    await waitFor(() => shard.records.length === 1);
    const r = shard.records[0]!;
    const ev = r.event as SqsEventRecord;
    assert.equal(r.id, id);
    assert.equal(r.partitionKey, 'grp-1');
    assert.deepEqual(Object.keys(ev.attributes), [
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
      'SequenceNumber',
      'MessageGroupId',
      'MessageDeduplicationId',
    ]);
    assert.equal(ev.attributes.MessageGroupId, 'grp-1');
    assert.equal(ev.attributes.MessageDeduplicationId, 'dedup-1');
    assert.match(ev.attributes.SequenceNumber!, /^\d{20}$/);
    assert.deepEqual(ev.messageAttributes, {});
    assert.equal(ev.eventSourceARN, q.arn);
    assert.equal(r.payloadBytes, Buffer.byteLength(JSON.stringify(ev)));
    await shard.committer.complete([r]);
    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 0 });
  });

  test('order within each MessageGroupId is kept from queue to pipeline', async (t) => {
    const q = await createQueue(env.sqs, { fifo: true });
    const groups = ['a', 'b', 'c'];
    const perGroup = 40;
    const entries = [];
    for (let i = 0; i < perGroup; i++) {
      for (const g of groups) entries.push({ MessageBody: `${g}:${i}`, MessageGroupId: g, MessageDeduplicationId: `${g}-${i}` });
    }
    await sendAll(env.sqs, q.url, entries);
    const ctx = sqsContext(env.server, q, 'complete');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    await waitFor(() => ctx.all.length >= groups.length * perGroup, { timeoutMs: 20_000 });
    for (const g of groups) {
      const bodies = ctx.all.filter((r) => r.partitionKey === g).map((r) => (r.event as SqsEventRecord).body);
      assert.deepEqual(bodies, Array.from({ length: perGroup }, (_, i) => `${g}:${i}`), `group ${g} in order, once each`);
    }
    // (local-aws-sqs's SequenceNumbers are not monotonic per group, so order is checked on the bodies.)
    await waitFor(async () => {
      const c = await queueCounts(env.sqs, q.url);
      return c.visible === 0 && c.inFlight === 0;
    });
  });
  test('a released message blocks its group until it comes back; later messages of the group wait, other groups flow', async (t) => {
    // local-aws-sqs does not lock message groups: without the source's own bookkeeping, a:2.. would
    // be received and processed while a:1 is invisible after its failure.
    const q = await createQueue(env.sqs, { fifo: true, attributes: { VisibilityTimeout: '2' } });
    const msgs = (from: number, to: number): { MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string }[] => {
      const out = [];
      for (let i = from; i < to; i++) {
        for (const g of ['a', 'b']) out.push({ MessageBody: `${g}:${i}`, MessageGroupId: g, MessageDeduplicationId: `${g}-${i}` });
      }
      return out;
    };
    await sendAll(env.sqs, q.url, msgs(0, 5));
    const ctx = sqsContext(env.server, q, 'hold');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = await waitFor(() => ctx.shards.get(shardId(q.arn)));
    await waitFor(() => shard.records.length > 0);
    // More of both groups arrive while the first messages are in flight.
    await sendAll(env.sqs, q.url, msgs(5, 10));

    // A stand-in pipeline: every unsettled pushed record is one batch, processed in push order;
    // a:1 fails once, and (FIFO rule) the rest of its group in that batch is released with it.
    const body = (r: PolledRecord): string => (r.event as SqsEventRecord).body;
    const log: string[] = [];
    let next = 0;
    let failed = false;
    const pump = async (): Promise<void> => {
      const batch = shard.records.slice(next);
      next += batch.length;
      const release: PolledRecord[] = [];
      const complete: PolledRecord[] = [];
      for (const r of batch) {
        const b = body(r);
        if ((b === 'a:1' && !failed) || (release.length > 0 && r.partitionKey === 'a')) {
          release.push(r);
          log.push(`release ${b}`);
        } else {
          complete.push(r);
          log.push(b);
        }
      }
      failed ||= release.length > 0;
      if (release.length > 0) await shard.committer.release(release);
      if (complete.length > 0) await shard.committer.complete(complete);
    };
    await waitFor(
      async () => {
        await pump();
        return log.filter((l) => !l.startsWith('release')).length === 20;
      },
      { timeoutMs: 20_000, message: 'all 20 messages completed' },
    );
    const done = (g: string): string[] => log.filter((l) => l.startsWith(`${g}:`));
    assert.deepEqual(done('a'), Array.from({ length: 10 }, (_, i) => `a:${i}`), `group a in order: ${log.join(', ')}`);
    assert.deepEqual(done('b'), Array.from({ length: 10 }, (_, i) => `b:${i}`), `group b in order: ${log.join(', ')}`);
    assert.ok(log.includes('release a:1'), 'a:1 failed once');
    const released = log.indexOf('release a:1');
    const back = log.indexOf('a:1');
    assert.ok(log.slice(released, back).every((l) => !/^a:/.test(l)), `nothing of group a processed before a:1 came back: ${log.join(', ')}`);
    assert.ok(log.indexOf('b:9') < back, `group b kept flowing while a was blocked: ${log.join(', ')}`);
    await waitFor(async () => {
      const c = await queueCounts(env.sqs, q.url);
      return c.visible === 0 && c.inFlight === 0;
    });
  });
});

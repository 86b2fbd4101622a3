/** The SQS source on FIFO queues against local-aws-sqs. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startSqs, type SqsTestServer } from '../../support/sqs-server.js';
import { waitFor } from '../../support/wait.js';
import { createSqsSource } from '../../../src/sources/sqs/sqs-source.js';
import type { SqsEventRecord } from '../../../src/sources/sqs/event.js';
import { shardId } from '../../../src/core/ids.js';
import { createQueue, queueCounts, sendAll, sqsClient, sqsContext } from './helpers.js';

const FAST = { waitTimeSeconds: 1 } as const;

describe('SQS source (FIFO queue)', { concurrency: true }, () => {
  let server: SqsTestServer;
  let sqs: SQSClient;
  before(async () => {
    server = await startSqs();
    sqs = sqsClient(server);
  });
  after(async () => {
    sqs.destroy();
    await server.close();
  });

  test('FIFO event attributes; partitionKey is the MessageGroupId', async (t) => {
    const q = await createQueue(sqs, { fifo: true });
    const [id] = await sendAll(sqs, q.url, [{ MessageBody: 'f', MessageGroupId: 'grp-1', MessageDeduplicationId: 'dedup-1' }]);
    const ctx = sqsContext(server, q, 'hold');
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
    assert.deepEqual(await queueCounts(sqs, q.url), { visible: 0, inFlight: 0 });
  });

  test('order within each MessageGroupId is kept from queue to pipeline', async (t) => {
    const q = await createQueue(sqs, { fifo: true });
    const groups = ['a', 'b', 'c'];
    const perGroup = 40;
    const entries = [];
    for (let i = 0; i < perGroup; i++) {
      for (const g of groups) entries.push({ MessageBody: `${g}:${i}`, MessageGroupId: g, MessageDeduplicationId: `${g}-${i}` });
    }
    await sendAll(sqs, q.url, entries);
    const ctx = sqsContext(server, q, 'complete');
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
      const c = await queueCounts(sqs, q.url);
      return c.visible === 0 && c.inFlight === 0;
    });
  });
});

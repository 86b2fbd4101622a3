/** The SQS source against local-aws-sqs (standard queues). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { waitFor } from '../../support/wait.js';
import { createSqsSource } from '../../../src/sources/sqs/sqs-source.js';
import type { SqsEventRecord } from '../../../src/sources/sqs/event.js';
import { createHash } from 'node:crypto';
import { shardId } from '../../../src/core/ids.js';
import { SourceError } from '../../../src/core/errors.js';
import { useSqsServer, createQueue, queueCounts, sendAll, sqsContext } from './helpers.js';

const FAST = { waitTimeSeconds: 1 } as const;

describe('SQS source (standard queue)', { concurrency: true }, () => {
  const env = useSqsServer();

  test('delivers messages in the exact Lambda SQS event shape; complete deletes them', async (t) => {
    const q = await createQueue(env.sqs);
    const [id] = await sendAll(env.sqs, q.url, [
      {
        MessageBody: '{"hello":"wörld"}',
        MessageAttributes: {
          s: { DataType: 'String', StringValue: 'x' },
          b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
          n: { DataType: 'Number.int', StringValue: '5' },
        },
      },
    ]);
    const ctx = sqsContext(env.server, q, 'hold');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = ctx.shards.get(shardId(q.arn));
    assert.ok(shard, 'one shard, named by the queue ARN');
    assert.deepEqual([...ctx.shards.keys()], [q.arn]);
    assert.equal(shard.maxInFlight, 5, 'scaling starts at 5');
    await waitFor(() => shard.records.length === 1);

    const r = shard.records[0]!;
    const ev = r.event as SqsEventRecord;
    assert.equal(r.id, id);
    assert.equal(r.partitionKey, id, 'standard queues: no ordering key');
    assert.equal(r.ref, ev.receiptHandle);
    assert.equal(r.arrivalMs, Number(ev.attributes.SentTimestamp));
    assert.equal(r.payloadBytes, Buffer.byteLength(JSON.stringify(ev)));
    assert.deepEqual(Object.keys(ev), [
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    assert.equal(ev.messageId, id);
    assert.ok(ev.receiptHandle.length > 0);
    assert.equal(ev.body, '{"hello":"wörld"}');
    assert.deepEqual(Object.keys(ev.attributes), ['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp']);
    assert.equal(ev.attributes.ApproximateReceiveCount, '1');
    assert.match(ev.attributes.SentTimestamp!, /^\d{13}$/);
    assert.match(ev.attributes.ApproximateFirstReceiveTimestamp!, /^\d{13}$/);
    assert.ok(ev.attributes.SenderId);
    assert.deepEqual(ev.messageAttributes, {
      s: { stringValue: 'x', stringListValues: [], binaryListValues: [], dataType: 'String' },
      b: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      n: { stringValue: '5', stringListValues: [], binaryListValues: [], dataType: 'Number.int' },
    });
    assert.match(ev.md5OfBody, /^[0-9a-f]{32}$/);
    assert.equal(ev.md5OfBody, createHash('md5').update('{"hello":"wörld"}').digest('hex'));
    assert.equal(ev.eventSource, 'aws:sqs');
    assert.equal(ev.eventSourceARN, q.arn);
    assert.equal(ev.awsRegion, 'us-east-1');

    // The envelope and its overhead.
    const wrapped = shard.envelope.wrap([r]);
    assert.deepEqual(wrapped, { Records: [ev] });
    assert.equal(shard.envelope.overheadBytes, Buffer.byteLength(JSON.stringify(shard.envelope.wrap([]))));
    assert.equal(Buffer.byteLength(JSON.stringify(wrapped)), shard.envelope.overheadBytes + r.payloadBytes);

    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 1 });
    await shard.committer.complete([r]);
    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 0 });
  });

  test('many messages with several receive loops: each delivered and deleted once', async (t) => {
    const q = await createQueue(env.sqs);
    const ids = await sendAll(env.sqs, q.url, Array.from({ length: 200 }, (_, i) => ({ MessageBody: `m${i}` })));
    const ctx = sqsContext(env.server, q, 'complete');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    await waitFor(() => ctx.all.length >= 200, { timeoutMs: 20_000 });
    await waitFor(async () => {
      const c = await queueCounts(env.sqs, q.url);
      return c.visible === 0 && c.inFlight === 0;
    });
    assert.deepEqual(new Set(ctx.all.map((r) => r.id)), new Set(ids));
    assert.equal(ctx.all.length, 200, 'no duplicates');
  });

  test('release leaves the message for redelivery after the visibility timeout', async (t) => {
    const q = await createQueue(env.sqs, { attributes: { VisibilityTimeout: '2' } });
    const [id] = await sendAll(env.sqs, q.url, [{ MessageBody: 'again' }]);
    const ctx = sqsContext(env.server, q, 'release');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    await waitFor(() => ctx.all.length >= 1);
    const first = ctx.clock.now();
    // Still invisible right after the release: nothing was made visible early.
    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 1 });
    await waitFor(() => ctx.all.length >= 2, { timeoutMs: 10_000 });
    ctx.policy = 'complete';
    const again = ctx.all[1]!;
    assert.equal(again.id, id);
    assert.notEqual(again.ref, ctx.all[0]!.ref, 'a new receipt handle');
    assert.ok(ctx.clock.now() - first >= 500, 'not right after the release');
    assert.equal((again.event as SqsEventRecord).attributes.ApproximateReceiveCount, '2');
    await waitFor(async () => (await queueCounts(env.sqs, q.url)).inFlight + (await queueCounts(env.sqs, q.url)).visible === 0, {
      timeoutMs: 10_000,
    });
  });

  test("repeated failures go to the queue's own DLQ through its RedrivePolicy", async (t) => {
    const dlq = await createQueue(env.sqs, { prefix: 'dlq' });
    const q = await createQueue(env.sqs, {
      attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) },
    });
    const [id] = await sendAll(env.sqs, q.url, [{ MessageBody: 'poison' }]);
    const ctx = sqsContext(env.server, q, 'release');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    await waitFor(async () => (await queueCounts(env.sqs, dlq.url)).visible === 1, { timeoutMs: 15_000 });
    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 0 });
    assert.deepEqual(
      ctx.all.map((r) => [r.id, (r.event as SqsEventRecord).attributes.ApproximateReceiveCount]),
      [
        [id, '1'],
        [id, '2'],
      ],
    );
  });

  test('messages held longer than half the visibility timeout are extended, not redelivered', async (t) => {
    const q = await createQueue(env.sqs, { attributes: { VisibilityTimeout: '2' } });
    await sendAll(env.sqs, q.url, [{ MessageBody: 'slow' }]);
    const ctx = sqsContext(env.server, q, 'hold');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = await waitFor(() => ctx.shards.get(shardId(q.arn)));
    await waitFor(() => shard.records.length === 1);
    // A competing consumer long-polls for 5 s (2.5 visibility timeouts): it must get nothing.
    const other = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 5, AttributeNames: ['All'] }),
    );
    assert.equal(other.Messages?.length ?? 0, 0, 'the held message stayed invisible');
    assert.equal(shard.records.length, 1, 'and the source did not receive it again');
    await shard.committer.complete(shard.records);
    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 0 });
  });

  test('a receipt handle the queue rejects: the others are deleted, complete() rejects naming the message', async (t) => {
    const q = await createQueue(env.sqs);
    await sendAll(env.sqs, q.url, Array.from({ length: 12 }, (_, i) => ({ MessageBody: `d${i}` })));
    const ctx = sqsContext(env.server, q, 'hold');
    const source = createSqsSource(ctx.mapping, FAST);
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = await waitFor(() => ctx.shards.get(shardId(q.arn)));
    await waitFor(() => shard.records.length === 12);
    const bad = { ...shard.records[3]!, ref: Buffer.from('not-a-handle').toString('base64') };
    const list = shard.records.map((r, i) => (i === 3 ? bad : r));
    await assert.rejects(shard.committer.complete(list), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.code, 'SQS_DELETE_FAILED');
      assert.deepEqual(e.context.messageIds, [bad.id]);
      return true;
    });
    assert.deepEqual(await queueCounts(env.sqs, q.url), { visible: 0, inFlight: 1 }, 'only the bad one is left');
  });

  test('a missing queue: start() rejects with a SourceError and reports the problem', async () => {
    const q = { url: '', arn: 'arn:aws:sqs:us-east-1:000000000000:does-not-exist', name: 'does-not-exist' };
    const ctx = sqsContext(env.server, q, 'complete');
    const source = createSqsSource(ctx.mapping, FAST);
    await assert.rejects(source.start(ctx), (e: unknown) => e instanceof SourceError && e.code === 'SQS_QUEUE_UNAVAILABLE' && !e.retriable);
    assert.match(String(ctx.problems.at(-1)), /does-not-exist.*QueueDoesNotExist/);
    await source.stop();
  });

  test('scaling: grows while receives are full, shrinks on failed invokes, honours MaximumConcurrency', async (t) => {
    const q = await createQueue(env.sqs);
    await sendAll(env.sqs, q.url, Array.from({ length: 600 }, (_, i) => ({ MessageBody: `s${i}` })));
    const ctx = sqsContext(env.server, q, 'complete');
    // Every full receive may grow concurrency (no 200 ms spacing): on a fast machine the 600
    // messages are gone before two default growth intervals have passed.
    const source = createSqsSource(ctx.mapping, { ...FAST, growIntervalMs: 0 });
    t.after(() => source.stop({ deadlineMs: 100 }));
    await source.start(ctx);
    const shard = await waitFor(() => ctx.shards.get(shardId(q.arn)));
    await waitFor(() => shard.maxInFlight >= 7, { timeoutMs: 15_000, message: 'concurrency grew' });
    const grown = shard.maxInFlight;
    ctx.events.emit('invoked', {
      mapping: ctx.mapping.UUID,
      functionName: 'test-fn',
      shard: shard.shardId,
      count: 1,
      bytes: 1,
      durationMs: 1,
      ok: false,
    });
    assert.ok(shard.maxInFlight < grown, `shrank after a failed invoke (${grown} → ${shard.maxInFlight})`);
    assert.ok(shard.maxInFlight >= 5);

    const q2 = await createQueue(env.sqs);
    await sendAll(env.sqs, q2.url, Array.from({ length: 100 }, (_, i) => ({ MessageBody: `c${i}` })));
    const ctx2 = sqsContext(env.server, q2, 'complete', { ScalingConfig: { MaximumConcurrency: 2 } });
    const capped = createSqsSource(ctx2.mapping, FAST);
    t.after(() => capped.stop({ deadlineMs: 100 }));
    await capped.start(ctx2);
    const shard2 = await waitFor(() => ctx2.shards.get(shardId(q2.arn)));
    assert.equal(shard2.maxInFlight, 2);
    await waitFor(() => ctx2.all.length >= 100, { timeoutMs: 15_000 });
    assert.equal(shard2.maxInFlight, 2, 'never above MaximumConcurrency');
  });

  test('stop() is idempotent and leaves unsettled messages for redelivery', async () => {
    const q = await createQueue(env.sqs, { attributes: { VisibilityTimeout: '2' } });
    await sendAll(env.sqs, q.url, [{ MessageBody: 'x' }]);
    const ctx = sqsContext(env.server, q, 'hold');
    const source = createSqsSource(ctx.mapping, FAST);
    await source.start(ctx);
    await waitFor(() => ctx.all.length === 1);
    const a = source.stop({ deadlineMs: 50 });
    assert.equal(source.stop(), a);
    await a;
    const shard = ctx.shards.get(shardId(q.arn))!;
    assert.ok(shard.closed, 'shard closed');
    await waitFor(async () => (await queueCounts(env.sqs, q.url)).visible === 1, { timeoutMs: 5000 });
  });
});

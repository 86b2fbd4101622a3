/**
 * End to end, SQS: the daemon in-process (config loaded from YAML by the real loader), a real
 * local-aws-sqs server, the recorder handler in sluice's worker threads.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Daemon } from '../../src/daemon.js';
import { uniqueName } from '../support/names.js';
import { waitFor } from '../support/wait.js';
import { counts, createQueue, daemonYaml, queueDepth, readLines, recorderFunction, receiveJsonBodies, sqsIds, startDaemonFromYaml, tempDir, type SqsLine, useSqsServer } from './support/e2e.js';

const fx = useSqsServer();

/** Sends `bodies` in batches of 10; returns the message ids by body id. */
async function send(url: string, bodies: readonly Record<string, unknown>[], withAttributes = false): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const r = await fx.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({
          Id: `m${i + j}`,
          MessageBody: JSON.stringify(b),
          ...(withAttributes
            ? { MessageAttributes: { color: { DataType: 'String', StringValue: 'blue' }, size: { DataType: 'Number', StringValue: String(i + j) } } }
            : {}),
        })),
      }),
    );
    assert.equal(r.Failed?.length ?? 0, 0, 'every send succeeds');
  }
}

/**
 * One daemon per test: a function `rec` (export `exportName`) and one SQS mapping with `mapping`
 * YAML fields. `credentials` adds aws.credentials (the loader deep-freezes them; the SDK must get a copy).
 */
async function daemonFor(dir: string, out: string, arn: string, mapping: string, exportName = 'sqs', credentials = false): Promise<Daemon> {
  return startDaemonFromYaml(
    dir,
    daemonYaml({
      stateDb: join(dir, 'state.db'),
      endpoints: { sqs: fx.server.endpoint },
      credentials,
      functions: recorderFunction('rec', exportName, out, dir),
      mappings: `  - { FunctionName: rec, EventSourceArn: ${JSON.stringify(arn)}${mapping} }`,
    }),
  );
}

async function queueEmpty(url: string): Promise<boolean> {
  const d = await queueDepth(fx.sqs, url);
  return d.visible === 0 && d.notVisible === 0 && d.delayed === 0;
}

describe('SQS end to end', { timeout: 60_000 }, () => {
  test('200 messages: each invoked once with the exact AWS SQS event shape, then deleted (queue empty)', async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const out = join(dir, 'out.jsonl');
    const name = uniqueName('e2e-sqs-all');
    const q = await createQueue(fx.sqs, name);
    const ids = Array.from({ length: 200 }, (_, i) => `a${i}`);
    await send(q.url, ids.map((id) => ({ id })), true);
    const d = await daemonFor(dir, out, q.arn, ', BatchSize: 10');
    t.after(() => d.stop());

    await waitFor(() => sqsIds(readLines<SqsLine>(out)).length >= 200, { timeoutMs: 30_000, message: '200 records invoked' });
    await waitFor(() => queueEmpty(q.url), { timeoutMs: 15_000, message: 'queue empty' });
    const lines = readLines<SqsLine>(out);
    const seen = counts(sqsIds(lines));
    assert.equal(seen.size, 200, 'every message reached the handler');
    for (const id of ids) assert.equal(seen.get(id), 1, `message ${id} invoked exactly once`);
    for (const l of lines) assert.ok(l.records.length >= 1 && l.records.length <= 10, `batch of ${l.records.length} within BatchSize 10`);

    const rec = lines[0]?.records[0];
    assert.ok(rec);
    assert.deepEqual(Object.keys(rec).sort(), ['attributes', 'awsRegion', 'body', 'eventSource', 'eventSourceARN', 'md5OfBody', 'messageAttributes', 'messageId', 'receiptHandle']);
    assert.equal(rec['eventSource'], 'aws:sqs');
    assert.equal(rec['eventSourceARN'], q.arn);
    assert.equal(rec['awsRegion'], 'us-east-1');
    assert.equal(typeof rec['messageId'], 'string');
    assert.equal(typeof rec['receiptHandle'], 'string');
    assert.equal(rec['md5OfBody'], createHash('md5').update(String(rec['body'])).digest('hex'));
    const attrs = rec['attributes'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(attrs).sort(), ['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
    assert.equal(attrs['ApproximateReceiveCount'], '1');
    for (const k of ['ApproximateFirstReceiveTimestamp', 'SentTimestamp']) assert.match(String(attrs[k]), /^\d{13}$/, `${k} is epoch ms as a string`);
    assert.equal(typeof attrs['SenderId'], 'string');
    const ma = rec['messageAttributes'] as Record<string, unknown>;
    assert.deepEqual(ma['color'], { stringValue: 'blue', stringListValues: [], binaryListValues: [], dataType: 'String' });
    assert.deepEqual(Object.keys(ma['size'] as object).sort(), ['binaryListValues', 'dataType', 'stringListValues', 'stringValue']);
    assert.equal((ma['size'] as Record<string, unknown>)['dataType'], 'Number');
  });

  test('ReportBatchItemFailures: only the listed messages come back (after the queue VisibilityTimeout), the rest are deleted', async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const out = join(dir, 'out.jsonl');
    const q = await createQueue(fx.sqs, uniqueName('e2e-sqs-partial'), { VisibilityTimeout: '2' });
    const bodies = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, ...(i % 6 === 0 ? { failOnce: true } : {}) }));
    await send(q.url, bodies);
    const d = await daemonFor(dir, out, q.arn, ', BatchSize: 10, FunctionResponseTypes: [ReportBatchItemFailures]');
    t.after(() => d.stop());

    await waitFor(() => new Set(sqsIds(readLines<SqsLine>(out), true)).size >= 60, { timeoutMs: 30_000, message: 'all 60 processed' });
    await waitFor(() => queueEmpty(q.url), { timeoutMs: 15_000, message: 'queue empty' });
    const lines = readLines<SqsLine>(out);
    const invoked = counts(sqsIds(lines));
    const failedIds = new Set(bodies.filter((b) => 'failOnce' in b).map((b) => b.id));
    assert.equal(failedIds.size, 10);
    for (const b of bodies) {
      assert.equal(invoked.get(b.id), failedIds.has(b.id) ? 2 : 1, `${b.id}: ${failedIds.has(b.id) ? 'reported once, redelivered once' : 'never redelivered'}`);
    }
    // The redelivery came after the queue's 2 s visibility timeout, as SQS does it.
    const firstSeen = new Map<string, number>();
    for (const l of lines) {
      for (const r of l.records) {
        const id = String((JSON.parse(String(r['body'])) as { id: string }).id);
        const prev = firstSeen.get(id);
        if (prev === undefined) firstSeen.set(id, l.t);
        else assert.ok(l.t - prev >= 1500, `${id} redelivered ${l.t - prev} ms after the first attempt (visibility timeout 2 s)`);
      }
    }
  });

  test('FilterCriteria: non-matching messages are deleted and never invoked', async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const out = join(dir, 'out.jsonl');
    const q = await createQueue(fx.sqs, uniqueName('e2e-sqs-filter'));
    const bodies = Array.from({ length: 40 }, (_, i) => ({ id: `f${i}`, keep: i % 2 === 0 }));
    await send(q.url, bodies);
    const pattern = JSON.stringify({ body: { keep: [true] } });
    const d = await daemonFor(dir, out, q.arn, `, BatchSize: 10, FilterCriteria: { Filters: [ { Pattern: ${JSON.stringify(pattern)} } ] }`);
    t.after(() => d.stop());

    await waitFor(() => queueEmpty(q.url), { timeoutMs: 30_000, message: 'queue empty: kept ones processed, the others deleted' });
    await waitFor(() => sqsIds(readLines<SqsLine>(out)).length >= 20, { timeoutMs: 5_000, message: '20 kept messages invoked' });
    const invoked = counts(sqsIds(readLines<SqsLine>(out)));
    assert.deepEqual([...invoked.keys()].sort(), bodies.filter((b) => b.keep).map((b) => b.id).sort(), 'exactly the matching messages were invoked');
    for (const n of invoked.values()) assert.equal(n, 1);
  });

  test('a message whose invoke throws goes to the DLQ after maxReceiveCount 2; the others are processed once', async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const out = join(dir, 'out.jsonl');
    const dlq = await createQueue(fx.sqs, uniqueName('e2e-sqs-dlq'));
    const q = await createQueue(fx.sqs, uniqueName('e2e-sqs-redrive'), {
      VisibilityTimeout: '2',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const bodies = Array.from({ length: 12 }, (_, i) => ({ id: `d${i}`, ...(i === 5 ? { throw: true } : {}) }));
    await send(q.url, bodies);
    // BatchSize 1: a throwing invoke fails only the poison message (a failed batch returns all of its messages).
    const d = await daemonFor(dir, out, q.arn, ', BatchSize: 1');
    t.after(() => d.stop());

    const inDlq = (await receiveJsonBodies(fx.sqs, dlq.url, { timeoutMs: 30_000, intervalMs: 200, message: 'poison message in the DLQ' })).map((b) => String((b as { id: string }).id));
    await waitFor(() => queueEmpty(q.url), { timeoutMs: 15_000, message: 'source queue empty' });
    assert.deepEqual(inDlq, ['d5']);
    const lines = readLines<SqsLine>(out);
    const ok = counts(sqsIds(lines, true));
    for (const b of bodies) {
      if (b.id === 'd5') assert.equal(ok.get(b.id), undefined, 'the poison message never succeeded');
      else assert.equal(ok.get(b.id), 1, `${b.id} processed exactly once`);
    }
    const poisonAttempts = sqsIds(lines).filter((id) => id === 'd5').length;
    assert.ok(poisonAttempts >= 1 && poisonAttempts <= 2, `poison invoked ${poisonAttempts} times (at most maxReceiveCount 2)`);
  });

  /** FIFO: 3 groups x 30 messages; with `withFailure`, g1-5 is reported failed once (and the handler reports the rest of g1 in that batch). */
  async function fifoCase(t: TestContext, withFailure: boolean): Promise<void> {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const out = join(dir, 'out.jsonl');
    const q = await createQueue(fx.sqs, `${uniqueName('e2e-sqs-fifo')}.fifo`, { FifoQueue: 'true', VisibilityTimeout: '2' });
    const GROUPS = 3;
    const PER_GROUP = 30;
    const entries = Array.from({ length: GROUPS * PER_GROUP }, (_, i) => {
      const g = `g${i % GROUPS}`;
      const n = Math.floor(i / GROUPS);
      return { id: `${g}-${n}`, g, n, failOnce: withFailure && g === 'g1' && n === 5 };
    });
    for (let i = 0; i < entries.length; i += 10) {
      const r = await fx.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: q.url,
          Entries: entries.slice(i, i + 10).map((e, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify({ id: e.id, ...(e.failOnce ? { failOnce: true } : {}) }),
            MessageGroupId: e.g,
            MessageDeduplicationId: e.id,
          })),
        }),
      );
      assert.equal(r.Failed?.length ?? 0, 0);
    }
    const d = await daemonFor(dir, out, q.arn, ', BatchSize: 10, FunctionResponseTypes: [ReportBatchItemFailures]');
    t.after(() => d.stop());

    await waitFor(() => new Set(sqsIds(readLines<SqsLine>(out), true)).size >= entries.length, { timeoutMs: 30_000, message: 'every FIFO message processed' });
    await waitFor(() => queueEmpty(q.url), { timeoutMs: 15_000, message: 'queue empty' });
    const lines = readLines<SqsLine>(out);
    const ok = sqsIds(lines, true);
    assert.equal(ok.length, entries.length, 'each message succeeded exactly once');
    for (let g = 0; g < GROUPS; g++) {
      const order = ok.filter((id) => id.startsWith(`g${g}-`)).map((id) => Number(id.split('-')[1]));
      assert.deepEqual(order, Array.from({ length: PER_GROUP }, (_, i) => i), `group g${g} processed in send order`);
    }
    if (withFailure) assert.ok(sqsIds(lines).filter((id) => id === 'g1-5').length >= 2, 'g1-5 failed once and came back');
    const rec = lines[0]?.records[0];
    assert.ok(rec);
    const attrs = rec['attributes'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(attrs).sort(), [
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'MessageDeduplicationId',
      'MessageGroupId',
      'SenderId',
      'SentTimestamp',
      'SequenceNumber',
    ]);
  }

  test('FIFO: order within each MessageGroupId holds end to end; each message once; FIFO attributes in the event', (t) => fifoCase(t, false));

  test('FIFO: a failed message comes back before any later message of its group is processed', (t) => fifoCase(t, true));

  test(
    'aws.credentials in the config file (a frozen object after loading): the SQS source still polls',
    async (t) => {
      const { dir, cleanup } = tempDir();
      t.after(cleanup);
      const out = join(dir, 'out.jsonl');
      const q = await createQueue(fx.sqs, uniqueName('e2e-sqs-creds'));
      await send(q.url, [{ id: 'c0' }]);
      const d = await daemonFor(dir, out, q.arn, ', BatchSize: 10', 'sqs', true);
      t.after(() => d.stop());
      await waitFor(() => sqsIds(readLines<SqsLine>(out)).includes('c0'), { timeoutMs: 5_000, message: 'c0 invoked' });
    },
  );
});

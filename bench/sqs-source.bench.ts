/**
 * SQS source throughput against the in-process emulator (local-aws-sqs): records/s from a
 * pre-filled queue to a sink that completes (deletes) at once, versus
 *  - a raw ReceiveMessage + DeleteMessageBatch loop with the same concurrency (5), and
 *  - sqs-consumer (v11) with 5 consumers, handleMessageBatch, batchSize 10.
 * One JSON line. Every run uses WaitTimeSeconds 1 (the emulator holds polls until 10 messages).
 */
import { ReceiveMessageCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { startSqs, type SqsTestServer } from '../test/support/sqs-server.js';
import { createQueue, sendAll, sqsClient, sqsContext, type TestQueue } from '../test/sources/sqs/helpers.js';
import { createSqsSource } from '../src/sources/sqs/sqs-source.js';

const N = Number(process.env.SQS_BENCH_MESSAGES ?? 3000);
const CONCURRENCY = 5;
const BODY = 'x'.repeat(100);

async function filledQueue(sqs: SQSClient): Promise<TestQueue> {
  const q = await createQueue(sqs, { prefix: 'bench' });
  const entries = Array.from({ length: N }, () => ({ MessageBody: BODY }));
  // Fill with a few parallel senders.
  const per = Math.ceil(N / 4 / 10) * 10;
  await Promise.all([0, 1, 2, 3].map((k) => sendAll(sqs, q.url, entries.slice(k * per, (k + 1) * per))));
  return q;
}

async function runSluice(server: SqsTestServer, sqs: SQSClient): Promise<number> {
  const q = await filledQueue(sqs);
  const ctx = sqsContext(server, q, 'complete', { ScalingConfig: { MaximumConcurrency: CONCURRENCY } });
  const source = createSqsSource(ctx.mapping, { waitTimeSeconds: 1 });
  const t0 = performance.now();
  await source.start(ctx);
  await until(() => ctx.all.length >= N);
  const s = (performance.now() - t0) / 1000;
  await source.stop({ deadlineMs: 1000 });
  return N / s;
}

async function runRaw(sqs: SQSClient): Promise<number> {
  const q = await filledQueue(sqs);
  let done = 0;
  let tEnd = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (done < N) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: q.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const msgs = out.Messages ?? [];
        if (msgs.length === 0) continue;
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: q.url, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
        done += msgs.length;
        if (done >= N && tEnd === 0) tEnd = performance.now(); // not counting the idle polls still open
      }
    }),
  );
  return N / ((tEnd - t0) / 1000);
}

async function runSqsConsumer(sqs: SQSClient): Promise<number> {
  const q = await filledQueue(sqs);
  let done = 0;
  const consumers = Array.from({ length: CONCURRENCY }, () =>
    Consumer.create({
      queueUrl: q.url,
      sqs,
      batchSize: 10,
      waitTimeSeconds: 1,
      attributeNames: ['All'],
      messageAttributeNames: ['All'],
      handleMessageBatch: async (messages) => {
        done += messages.length;
        return messages;
      },
    }),
  );
  for (const c of consumers) c.on('error', () => undefined); // the abort on stop is reported as an error
  const t0 = performance.now();
  for (const c of consumers) c.start();
  await until(() => done >= N);
  const s = (performance.now() - t0) / 1000;
  for (const c of consumers) c.stop();
  await Promise.all(consumers.map((c) => new Promise((r) => (c.status.isRunning ? c.once('stopped', () => r(undefined)) : r(undefined)))));
  return N / s;
}

async function until(cond: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const server = await startSqs();
const sqs = sqsClient(server);
try {
  // Round 1 warms up connections and the JIT; each figure is the best of two rounds.
  let raw = 0;
  let sluice = 0;
  let sqsConsumer = 0;
  for (let round = 0; round < 2; round++) {
    raw = Math.max(raw, await runRaw(sqs));
    sluice = Math.max(sluice, await runSluice(server, sqs));
    sqsConsumer = Math.max(sqsConsumer, await runSqsConsumer(sqs));
  }
  process.stdout.write(
    JSON.stringify({
      bench: 'sqs-source',
      messages: N,
      concurrency: CONCURRENCY,
      sluiceRecordsPerSec: Math.round(sluice),
      rawLoopRecordsPerSec: Math.round(raw),
      sqsConsumerRecordsPerSec: Math.round(sqsConsumer),
      ratioVsRaw: Number((sluice / raw).toFixed(3)),
      ratioVsSqsConsumer: Number((sluice / sqsConsumer).toFixed(3)),
    }) + '\n',
  );
} finally {
  sqs.destroy();
  await server.close();
}

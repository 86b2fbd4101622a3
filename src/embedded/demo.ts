import { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { delay } from '../core/clock.js';
import type { Logger } from '../observability/logger.js';
import { awsClientConfig } from '../sources/aws-clients.js';
import type { AwsSettings } from '../sources/source.js';

export interface DemoResources {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly streamName: string;
  readonly streamArn: string;
}

/** Creates the demo queue and the demo stream (2 shards) and waits until the stream is ACTIVE. */
export async function createDemoResources(
  aws: AwsSettings,
  names: { queue: string; stream: string; shards?: number },
  signal?: AbortSignal,
): Promise<DemoResources> {
  const sqs = new SQSClient(awsClientConfig(aws, 'sqs'));
  const kinesis = new KinesisClient(awsClientConfig(aws, 'kinesis'));
  try {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: names.queue }), { abortSignal: signal });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: names.stream, ShardCount: names.shards ?? 2 }), { abortSignal: signal });
    } catch (e) {
      if ((e as Error).name !== 'ResourceInUseException') throw e;
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: names.stream }), { abortSignal: signal });
      const s = d.StreamDescriptionSummary;
      if (s?.StreamStatus === 'ACTIVE') {
        return {
          queueUrl: q.QueueUrl ?? '',
          queueArn: `arn:aws:sqs:${aws.region}:${aws.accountId}:${names.queue}`,
          streamName: names.stream,
          streamArn: s.StreamARN ?? `arn:aws:kinesis:${aws.region}:${aws.accountId}:stream/${names.stream}`,
        };
      }
      if (Date.now() > deadline) throw new Error(`demo stream ${names.stream} not ACTIVE after 30 s (status ${s?.StreamStatus})`);
      await delay(50, signal);
    }
  } finally {
    sqs.destroy();
    kinesis.destroy();
  }
}

export interface DemoProducer {
  /** Records sent so far to the queue and to the stream. */
  readonly sent: { readonly sqs: number; readonly kinesis: number };
  /** Stops producing and waits for the in-flight send. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Sends `recordsPerSecond` small JSON records per second to the demo queue and, as many, to the
 * demo stream, in batches every 200 ms. Send errors are logged and retried on the next tick.
 */
export function startDemoProducer(opts: {
  aws: AwsSettings;
  resources: DemoResources;
  recordsPerSecond: number;
  logger: Logger;
}): DemoProducer {
  const ac = new AbortController();
  const sqs = new SQSClient(awsClientConfig(opts.aws, 'sqs', { maxSockets: 2 }));
  const kinesis = new KinesisClient(awsClientConfig(opts.aws, 'kinesis', { maxSockets: 2 }));
  const sent = { sqs: 0, kinesis: 0 };
  const tickMs = 200;
  let seq = 0;
  let carry = 0;

  const sendTick = async (n: number): Promise<void> => {
    const records = Array.from({ length: n }, () => {
      seq++;
      return { seq, body: JSON.stringify({ demo: true, seq, at: new Date().toISOString() }) };
    });
    const work: Promise<void>[] = [];
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      work.push(
        sqs
          .send(
            new SendMessageBatchCommand({
              QueueUrl: opts.resources.queueUrl,
              Entries: chunk.map((r) => ({ Id: String(r.seq), MessageBody: r.body })),
            }),
            { abortSignal: ac.signal },
          )
          .then((res) => {
            sent.sqs += res.Successful?.length ?? 0;
          }),
      );
    }
    work.push(
      kinesis
        .send(
          new PutRecordsCommand({
            StreamName: opts.resources.streamName,
            Records: records.map((r) => ({ PartitionKey: `key-${r.seq % 16}`, Data: Buffer.from(r.body) })),
          }),
          { abortSignal: ac.signal },
        )
        .then((res) => {
          sent.kinesis += records.length - (res.FailedRecordCount ?? 0);
        }),
    );
    const results = await Promise.allSettled(work);
    for (const r of results) {
      if (r.status === 'rejected' && !ac.signal.aborted) opts.logger.warn('demo producer: send failed', { err: r.reason });
    }
  };

  const loop = (async () => {
    while (!ac.signal.aborted) {
      carry += (opts.recordsPerSecond * tickMs) / 1000;
      const n = Math.floor(carry);
      carry -= n;
      if (n > 0) await sendTick(n);
      try {
        await delay(tickMs, ac.signal);
      } catch {
        break;
      }
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    sent,
    stop() {
      stopping ??= (async () => {
        ac.abort();
        await loop;
        sqs.destroy();
        kinesis.destroy();
      })();
      return stopping;
    },
  };
}

/** Shared setup for the SQS source tests: a queue on the in-process emulator and a fake pipeline. */
import { type SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SqsTestServer } from '../../support/sqs-server.js';
import { uniqueName } from '../../support/names.js';
import { testMapping } from '../../support/mapping.js';
import { createFakeSourceContext, type FakeContext, type SettlePolicy } from '../../support/fake-source-context.js';
import type { MappingSpec } from '../../../src/core/mapping.js';

export interface TestQueue {
  readonly url: string;
  readonly arn: string;
  readonly name: string;
}

export { useSqsServer, sqsTestClient as sqsClient } from '../../support/sqs-server.js';

export async function createQueue(
  sqs: SQSClient,
  opts: { fifo?: boolean; attributes?: Record<string, string>; prefix?: string } = {},
): Promise<TestQueue> {
  const name = uniqueName(opts.prefix ?? 'q') + (opts.fifo ? '.fifo' : '');
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { ...(opts.fifo ? { FifoQueue: 'true' } : {}), ...opts.attributes } }),
  );
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: attrs.Attributes!.QueueArn!, name };
}

/** Sends in batches of 10; returns the MessageIds in send order. */
export async function sendAll(sqs: SQSClient, url: string, entries: Omit<SendMessageBatchRequestEntry, 'Id'>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < entries.length; i += 10) {
    const chunk = entries.slice(i, i + 10).map((e, j) => ({ ...e, Id: String(j) }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: chunk }));
    if ((out.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
    const byId = new Map((out.Successful ?? []).map((s) => [s.Id, s.MessageId!]));
    for (const e of chunk) ids.push(byId.get(e.Id)!);
  }
  return ids;
}

export async function queueCounts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  // local-aws-sqs reports every message (visible or not) as ApproximateNumberOfMessages.
  const total = Number(a.Attributes?.ApproximateNumberOfMessages ?? NaN);
  const inFlight = Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN);
  return { visible: total - inFlight, inFlight };
}

export function sqsContext(server: SqsTestServer, q: TestQueue, policy: SettlePolicy, over: Partial<MappingSpec> = {}): FakeContext {
  return createFakeSourceContext({
    mapping: testMapping('sqs', { EventSourceArn: q.arn, fifo: q.name.endsWith('.fifo'), ...over }),
    aws: server.aws,
    policy,
  });
}

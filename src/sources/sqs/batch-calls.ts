/**
 * DeleteMessageBatch and ChangeMessageVisibilityBatch in chunks of 10 (the SQS limit), with
 * per-entry failures (`Failed[]`) mapped back to the records they concern.
 *
 * Retry rule: entries that failed through no fault of the request (`SenderFault: false`, e.g.
 * InternalError) and whole calls that failed after the SDK's own retries are tried once more;
 * sender faults (an expired or invalid receipt handle) are final — the message reappears after
 * its visibility timeout and is redelivered, so nothing is lost, at worst duplicated.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type BatchResultErrorEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export const SQS_BATCH_LIMIT = 10;

export interface EntryFailure<T> {
  readonly item: T;
  readonly code: string;
  readonly message: string;
  readonly senderFault: boolean;
}

type ChunkCall<T> = (items: readonly T[]) => Promise<{ failed: BatchResultErrorEntry[] | undefined }>;

/** Runs `call` over chunks of 10 in parallel; returns the items that still failed after one retry. */
async function inChunks<T>(items: readonly T[], call: ChunkCall<T>): Promise<EntryFailure<T>[]> {
  const runOnce = async (list: readonly T[]): Promise<EntryFailure<T>[]> => {
    const chunks: T[][] = [];
    for (let i = 0; i < list.length; i += SQS_BATCH_LIMIT) chunks.push(list.slice(i, i + SQS_BATCH_LIMIT));
    const results = await Promise.all(
      chunks.map(async (chunk): Promise<EntryFailure<T>[]> => {
        try {
          const { failed } = await call(chunk);
          const out: EntryFailure<T>[] = [];
          for (const f of failed ?? []) {
            const item = chunk[Number(f.Id)];
            if (item === undefined) continue;
            out.push({ item, code: f.Code ?? 'Unknown', message: f.Message ?? '', senderFault: f.SenderFault ?? false });
          }
          return out;
        } catch (err) {
          const e = err as { name?: string; message?: string; $fault?: string };
          return chunk.map((item) => ({
            item,
            code: e.name ?? 'Error',
            message: e.message ?? String(err),
            senderFault: e.$fault === 'client',
          }));
        }
      }),
    );
    return results.flat();
  };
  const first = await runOnce(items);
  const retry = first.filter((f) => !f.senderFault);
  if (retry.length === 0) return first;
  const second = await runOnce(retry.map((f) => f.item));
  return [...first.filter((f) => f.senderFault), ...second];
}

/** Deletes messages; returns the ones that could not be deleted. */
export function deleteMessages<T>(
  client: SQSClient,
  queueUrl: string,
  items: readonly T[],
  handleOf: (item: T) => string,
  signal?: AbortSignal,
): Promise<EntryFailure<T>[]> {
  return inChunks(items, async (chunk) => {
    const out = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((item, i) => ({ Id: String(i), ReceiptHandle: handleOf(item) })),
      }),
      { abortSignal: signal },
    );
    return { failed: out.Failed };
  });
}

/** Sets the visibility timeout of messages to `seconds` from now; returns the failures. */
export function changeVisibility<T>(
  client: SQSClient,
  queueUrl: string,
  items: readonly T[],
  handleOf: (item: T) => string,
  seconds: number,
  signal?: AbortSignal,
): Promise<EntryFailure<T>[]> {
  return inChunks(items, async (chunk) => {
    const out = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((item, i) => ({ Id: String(i), ReceiptHandle: handleOf(item), VisibilityTimeout: seconds })),
      }),
      { abortSignal: signal },
    );
    return { failed: out.Failed };
  });
}

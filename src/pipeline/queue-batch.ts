/**
 * Runs one batch of a queue source (SQS, Amazon MQ): one invoke, then the messages are completed
 * (deleted / acked) or released for redelivery per AWS's rules — never retried in place.
 */
import { settleQueueBatch } from '../failure/queue-settle.js';
import type { PolledRecord } from '../sources/source.js';
import type { Batch } from '../batching/batcher.js';
import type { InvokeAttempt } from './invoker.js';

export interface QueueBatchDeps {
  readonly invoke: (records: readonly PolledRecord[], signal: AbortSignal, bytes?: number) => Promise<InvokeAttempt>;
  readonly reportBatchItemFailures: boolean;
  readonly fifo: boolean;
  readonly complete: (records: readonly PolledRecord[]) => Promise<void>;
  readonly release: (records: readonly PolledRecord[]) => Promise<void>;
  /** A single message too large to invoke with (released; the queue's redrive policy takes it). */
  readonly oversized: (records: readonly PolledRecord[]) => void;
  readonly invokeSignal: AbortSignal;
}

export async function runQueueBatch(batch: Batch, d: QueueBatchDeps): Promise<void> {
  const { records } = batch;
  if (batch.oversized) {
    d.oversized(records);
    await d.release(records);
    return;
  }
  const { outcome } = await d.invoke(records, d.invokeSignal, batch.bytes);
  const s = settleQueueBatch(records, outcome, { reportBatchItemFailures: d.reportBatchItemFailures, fifo: d.fifo });
  const pick = (ix: readonly number[]): PolledRecord[] => ix.map((i) => records[i]!);
  await Promise.all([
    s.complete.length > 0 ? d.complete(s.complete.length === records.length ? records : pick(s.complete)) : undefined,
    s.release.length > 0 ? d.release(s.release.length === records.length ? records : pick(s.release)) : undefined,
  ]);
}

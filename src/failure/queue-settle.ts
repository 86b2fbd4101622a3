/**
 * Settling one batch of a queue source (SQS, Amazon MQ) after its invoke: which messages are
 * completed (deleted / acked) and which are released for redelivery.
 *
 * AWS rules: success deletes the whole batch; a function error deletes nothing. With
 * ReportBatchItemFailures (itemIdentifier = messageId) everything except the listed messages is
 * deleted; a response that is a full failure (partial-failures.ts) deletes nothing. FIFO queues:
 * once a message of a MessageGroupId failed, the later messages of that group in the batch are
 * released too, so the group's order is kept.
 */
import type { RecordId } from '../core/ids.js';
import type { PlanOutcome } from './batch-plan.js';
import { parseBatchItemFailures } from './partial-failures.js';

export interface QueueSettlement {
  /** Indexes into the batch to delete / ack, ascending. */
  readonly complete: number[];
  /** Indexes into the batch to leave for redelivery, ascending. */
  readonly release: number[];
}

/**
 * `records`: the batch in order; `partitionKey` is the message's MessageGroupId on a FIFO queue
 * (PolledRecord's field, so the pipeline passes its records as they are — no per-record copy).
 */
export function settleQueueBatch(
  records: readonly { readonly id: RecordId; readonly partitionKey: string }[],
  outcome: PlanOutcome,
  opts: { readonly reportBatchItemFailures: boolean; readonly fifo: boolean },
): QueueSettlement {
  const all = records.map((_, i) => i);
  if (outcome.kind === 'error') return { complete: [], release: all };
  if (!opts.reportBatchItemFailures) return { complete: all, release: [] };
  const parsed = parseBatchItemFailures(
    outcome.payload,
    records.map((r) => r.id),
  );
  if (parsed.kind === 'success') return { complete: all, release: [] };
  if (parsed.kind === 'failure') return { complete: [], release: all };
  const failed = new Set(parsed.failedIndexes);
  const blockedGroups = new Set<string>();
  const complete: number[] = [];
  const release: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const group = records[i]!.partitionKey;
    if (failed.has(i) || (opts.fifo && blockedGroups.has(group))) {
      release.push(i);
      if (opts.fifo) blockedGroups.add(group);
    } else {
      complete.push(i);
    }
  }
  return { complete, release };
}

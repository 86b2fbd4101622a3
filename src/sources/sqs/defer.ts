/**
 * Hands received-but-never-pushed FIFO messages back to the queue (ChangeMessageVisibilityBatch)
 * so they reappear at a given time — used only when FifoGroups is over its hold cap.
 *
 * Never loses a message: it was never pushed or deleted; if the change fails, it simply stays
 * invisible under its last visibility timeout and reappears when that ends.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../observability/logger.js';
import type { PolledRecord } from '../source.js';
import type { Deferral } from './fifo-groups.js';
import { changeVisibility } from './batch-calls.js';
import { receiptHandleOf } from './event.js';

/** SQS's ceiling for a visibility timeout: 12 hours. */
const MAX_VISIBILITY_SEC = 43_200;

export async function deferMessages(
  deps: { readonly sqs: SQSClient; readonly queueUrl: string; readonly clock: Clock; readonly logger: Logger },
  items: readonly Deferral<PolledRecord>[],
): Promise<void> {
  if (items.length === 0) return;
  const now = deps.clock.now();
  const bySeconds = new Map<number, PolledRecord[]>();
  for (const d of items) {
    const sec = Math.min(MAX_VISIBILITY_SEC, Math.max(0, Math.ceil((d.untilMs - now) / 1000)));
    const list = bySeconds.get(sec) ?? [];
    list.push(d.record);
    bySeconds.set(sec, list);
  }
  for (const [sec, list] of bySeconds) {
    const failed = await changeVisibility(deps.sqs, deps.queueUrl, list, receiptHandleOf, sec).catch((err: unknown) =>
      list.map((item) => ({ item, code: (err as { name?: string }).name ?? 'Error' })),
    );
    if (failed.length > 0) {
      deps.logger.warn('could not defer held FIFO messages; they reappear after their current visibility timeout', {
        count: failed.length,
        codes: [...new Set(failed.map((f) => f.code))],
      });
    }
  }
}

/**
 * Parsing of a function's partial batch response (FunctionResponseTypes: ReportBatchItemFailures).
 *
 * AWS rules ("Configuring partial batch response" for Kinesis, DynamoDB and SQS):
 * - full success: a null/undefined response, an empty object, an object without
 *   `batchItemFailures`, `batchItemFailures: null`, or an empty list;
 * - partial: every listed `itemIdentifier` is a record of the batch; the lowest listed record is
 *   where the checkpoint stops (streams) / the listed messages stay on the queue (SQS);
 * - full failure: an item whose identifier is missing, null, empty or not a string (this covers a
 *   misspelt key), an identifier that is not in the batch, or a malformed response (a string that
 *   is not JSON, a non-object response, `batchItemFailures` that is not an array, an item that is
 *   not an object).
 * A response given as a JSON string is parsed first (runtimes that hand back the raw body).
 */
import type { RecordId } from '../core/ids.js';

export type BatchItemFailuresResult =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failedIndexes: readonly number[]; readonly lowestIndex: number }
  | { readonly kind: 'failure'; readonly reason: string };

const SUCCESS: BatchItemFailuresResult = Object.freeze({ kind: 'success' });

function failure(reason: string): BatchItemFailuresResult {
  return { kind: 'failure', reason };
}

/** Index of each id in the batch; the first occurrence wins. */
function indexIds(batchIds: readonly RecordId[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < batchIds.length; i++) {
    const id = batchIds[i] as string;
    if (!m.has(id)) m.set(id, i);
  }
  return m;
}

export function parseBatchItemFailures(payload: unknown, batchIds: readonly RecordId[]): BatchItemFailuresResult {
  let response = payload;
  if (typeof response === 'string') {
    if (response.trim() === '') return SUCCESS;
    try {
      response = JSON.parse(response) as unknown;
    } catch {
      return failure('the response is a string that is not JSON');
    }
  }
  if (response === null || response === undefined) return SUCCESS;
  if (typeof response !== 'object' || Array.isArray(response)) {
    return failure(`the response is ${Array.isArray(response) ? 'an array' : `a ${typeof response}`}, not an object`);
  }
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === null || list === undefined) return SUCCESS;
  if (!Array.isArray(list)) return failure('batchItemFailures is not an array');
  if (list.length === 0) return SUCCESS;

  const index = indexIds(batchIds);
  const failed = new Set<number>();
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return failure(`batchItemFailures[${i}] is not an object`);
    }
    const id = (item as { itemIdentifier?: unknown }).itemIdentifier;
    if (id === undefined) return failure(`batchItemFailures[${i}] has no itemIdentifier`);
    if (id === null) return failure(`batchItemFailures[${i}].itemIdentifier is null`);
    if (typeof id !== 'string') return failure(`batchItemFailures[${i}].itemIdentifier is not a string`);
    if (id === '') return failure(`batchItemFailures[${i}].itemIdentifier is empty`);
    const at = index.get(id);
    if (at === undefined) return failure(`batchItemFailures[${i}].itemIdentifier ${JSON.stringify(id)} is not in the batch`);
    failed.add(at);
  }
  const failedIndexes = [...failed].sort((a, b) => a - b);
  return { kind: 'partial', failedIndexes, lowestIndex: failedIndexes[0] as number };
}

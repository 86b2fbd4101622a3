/**
 * Retry arithmetic for ordered sources (Kinesis, DynamoDB, Kafka): backoff between retries of the
 * same records, the MaximumRetryAttempts quota and the MaximumRecordAgeInSeconds cut-off.
 *
 * AWS does not publish its stream retry backoff; sluice uses capped exponential backoff:
 * 1 s, 2 s, 4 s … capped at 60 s (`defaultBackoffMs`). Pipelines and tests may pass their own.
 */

/** First retry delay. */
export const DEFAULT_BACKOFF_BASE_MS = 1_000;
/** Longest delay between two retries of the same records. */
export const DEFAULT_BACKOFF_CAP_MS = 60_000;

/**
 * Delay before the `failures`-th consecutive retry (1-based) of the same records:
 * `min(60 s, 1 s * 2^(failures-1))`.
 */
export function defaultBackoffMs(failures: number): number {
  const n = Math.max(1, Math.floor(failures));
  if (n > 17) return DEFAULT_BACKOFF_CAP_MS;
  return Math.min(DEFAULT_BACKOFF_CAP_MS, DEFAULT_BACKOFF_BASE_MS * 2 ** (n - 1));
}

/**
 * True when `retriesUsed` retries (invokes after the first one that counted against the quota)
 * exceed MaximumRetryAttempts. `-1` means infinite. MaximumRetryAttempts = 2 allows 1 + 2 invokes.
 */
export function retriesExhausted(retriesUsed: number, maximumRetryAttempts: number): boolean {
  return maximumRetryAttempts >= 0 && retriesUsed > maximumRetryAttempts;
}

/**
 * True when a record that arrived at `arrivalMs` is older than MaximumRecordAgeInSeconds at
 * `nowMs` (strictly older; `-1` means never).
 */
export function isRecordExpired(arrivalMs: number, nowMs: number, maximumRecordAgeInSeconds: number): boolean {
  return maximumRecordAgeInSeconds >= 0 && nowMs - arrivalMs > maximumRecordAgeInSeconds * 1000;
}

/**
 * How many records of `records[start, end)` must be discarded for age before an invoke: everything
 * up to and including the last expired record (records of a shard are in order, so the records
 * before an expired one are at least as old by position). 0 when none is expired.
 */
export function expiredPrefixLength(
  records: readonly { readonly arrivalMs: number }[],
  start: number,
  end: number,
  nowMs: number,
  maximumRecordAgeInSeconds: number,
): number {
  if (maximumRecordAgeInSeconds < 0) return 0;
  for (let i = end - 1; i >= start; i--) {
    const r = records[i];
    if (r !== undefined && isRecordExpired(r.arrivalMs, nowMs, maximumRecordAgeInSeconds)) return i - start + 1;
  }
  return 0;
}

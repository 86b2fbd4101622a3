/**
 * The failure plan of one batch of an ordered source (Kinesis, DynamoDB Streams, Kafka): which
 * records to invoke next, when to back off, which records are finished and which go to the
 * OnFailure destination. Pure: the pipeline drives it with `next()` / `report()` and does the I/O.
 *
 * Rules (AWS "error handling" for Kinesis / DynamoDB / Kafka event source mappings, and the
 * decisions sluice takes where AWS does not say — listed in the report and below):
 * - A successful invoke finishes its whole range (without ReportBatchItemFailures).
 * - A function error retries the same range after a capped exponential backoff, until
 *   MaximumRetryAttempts retries were used (2 → 1 + 2 invokes; -1 = infinite) — then the range is
 *   handed on with condition `RetryAttemptsExhausted`.
 * - Before every invoke (the first one included) the range's records are checked against
 *   MaximumRecordAgeInSeconds: the records up to the last expired one are handed on with
 *   `RecordAgeExceeded` without being invoked; the rest of the range goes on.
 * - BisectBatchOnFunctionError: a failing range of two or more records is split in two halves
 *   (first half = ceil(n/2) records, processed first); splitting does not use a retry and is not
 *   delayed. The halves inherit the range's used retries and invoke count. A single record that
 *   fails uses a retry like any other range, so a poison record ends up alone and is retried
 *   MaximumRetryAttempts more times (counting from the retries its ancestors had used).
 * - ReportBatchItemFailures: the response is parsed (partial-failures.ts). Records before the
 *   lowest reported one are finished; the rest is retried. Without bisect that retry counts as a
 *   failed attempt (and backs off). With bisect the batch is split at the reported record: the
 *   remainder is retried at once without using a retry, unless the lowest reported record is the
 *   first of the range (nothing to split off) — then it is a function error of the range, which
 *   bisects as above. A response that is a full failure is a function error.
 * - Throttled invokes (429/503, or the runtime had no capacity) are retried with backoff and use
 *   no retry and never bisect; only MaximumRecordAgeInSeconds ends them (AWS: "before
 *   invocation" errors).
 * Steps are emitted in shard order: `finished` and `on-failure` always concern the lowest
 * unfinished records.
 */
import type { Clock } from '../core/clock.js';
import type { RecordId } from '../core/ids.js';
import { parseBatchItemFailures } from './partial-failures.js';
import { defaultBackoffMs, expiredPrefixLength, retriesExhausted } from './retry-policy.js';

export interface PlanConfig {
  /** MaximumRetryAttempts: -1 = infinite (AWS default), 0..10000. */
  readonly maximumRetryAttempts: number;
  /** MaximumRecordAgeInSeconds: -1 = infinite (AWS default), 60..604800. */
  readonly maximumRecordAgeInSeconds: number;
  /** BisectBatchOnFunctionError, default false. */
  readonly bisectBatchOnFunctionError: boolean;
  /** FunctionResponseTypes includes ReportBatchItemFailures. */
  readonly reportBatchItemFailures: boolean;
  /** Delay before the n-th consecutive retry of one range (1-based). Default `defaultBackoffMs`. */
  readonly backoffMs?: (attempt: number) => number;
}

export interface PlanError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly statusCode: number;
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export type PlanStep =
  /** Invoke the function with records [start, end). `attempt`: how many invokes these records have now seen (1 = first). */
  | { readonly kind: 'invoke'; readonly start: number; readonly end: number; readonly attempt: number }
  /** Wait, then call next() again. */
  | { readonly kind: 'backoff'; readonly delayMs: number }
  /** Records [start, end) succeeded. */
  | { readonly kind: 'finished'; readonly start: number; readonly end: number }
  /**
   * Records [start, end) are given up: describe them to the OnFailure destination (or drop them);
   * after that they count as finished. `attempts` = approximateInvokeCount. `lastError` is absent
   * when the records were never invoked. For a response-level failure (malformed or partial
   * response) `errorType` is '' (AWS then reports no functionError).
   */
  | {
      readonly kind: 'on-failure';
      readonly start: number;
      readonly end: number;
      readonly condition: FailureCondition;
      readonly attempts: number;
      readonly lastError?: PlanError;
    }
  | { readonly kind: 'done' };

export type PlanOutcome =
  | { readonly kind: 'success'; readonly payload: unknown }
  | {
      readonly kind: 'error';
      readonly errorType: string;
      readonly errorMessage: string;
      readonly statusCode: number;
      readonly throttled: boolean;
    };

export interface BatchPlan {
  /** The next thing to do. Throws if an invoke step is waiting for `report()`. */
  next(): PlanStep;
  /** The outcome of the last `invoke` step. Throws if no invoke is outstanding. */
  report(outcome: PlanOutcome): void;
}

interface Range {
  start: number;
  end: number;
  /** Retries used against MaximumRetryAttempts. */
  retries: number;
  /** Invokes that contained these records (approximateInvokeCount). */
  invokes: number;
  /** Consecutive failed invokes of exactly this range (backoff exponent). */
  failures: number;
  lastError: PlanError | undefined;
}

const DONE: PlanStep = Object.freeze({ kind: 'done' });

export function createBatchPlan(
  records: readonly { readonly id: RecordId; readonly arrivalMs: number }[],
  cfg: PlanConfig,
  clock: Clock,
): BatchPlan {
  const backoff = cfg.backoffMs ?? defaultBackoffMs;
  /** Unfinished records, as contiguous ranges in shard order; ranges[0] is worked on. */
  const ranges: Range[] =
    records.length > 0 ? [{ start: 0, end: records.length, retries: 0, invokes: 0, failures: 0, lastError: undefined }] : [];
  const queued: PlanStep[] = [];
  let inFlight: Range | undefined;
  let backoffDue: number | undefined;

  const giveUp = (r: Range, end: number, condition: FailureCondition): void => {
    queued.push({
      kind: 'on-failure',
      start: r.start,
      end,
      condition,
      attempts: r.invokes,
      ...(r.lastError ? { lastError: r.lastError } : {}),
    });
    r.start = end;
    if (r.start >= r.end) ranges.shift();
  };

  const retryLater = (r: Range): void => {
    r.failures++;
    backoffDue = Math.max(0, backoff(r.failures));
  };

  const functionFailed = (r: Range, err: PlanError, mayBisect: boolean): void => {
    r.lastError = err;
    const n = r.end - r.start;
    if (mayBisect && cfg.bisectBatchOnFunctionError && n > 1) {
      const mid = r.start + Math.ceil(n / 2);
      const second: Range = { ...r, start: mid, failures: 0 };
      r.end = mid;
      r.failures = 0;
      ranges.splice(1, 0, second);
      return;
    }
    r.retries++;
    if (retriesExhausted(r.retries, cfg.maximumRetryAttempts)) giveUp(r, r.end, 'RetryAttemptsExhausted');
    else retryLater(r);
  };

  const succeeded = (r: Range, payload: unknown): void => {
    if (!cfg.reportBatchItemFailures) {
      queued.push({ kind: 'finished', start: r.start, end: r.end });
      ranges.shift();
      return;
    }
    const ids: RecordId[] = [];
    for (let i = r.start; i < r.end; i++) ids.push((records[i] as { id: RecordId }).id);
    const parsed = parseBatchItemFailures(payload, ids);
    if (parsed.kind === 'success') {
      queued.push({ kind: 'finished', start: r.start, end: r.end });
      ranges.shift();
      return;
    }
    if (parsed.kind === 'failure') {
      functionFailed(r, { errorType: '', errorMessage: `invalid batchItemFailures response: ${parsed.reason}`, statusCode: 200 }, true);
      return;
    }
    const lowest = r.start + parsed.lowestIndex;
    const err: PlanError = { errorType: '', errorMessage: 'partial batch failure reported', statusCode: 200 };
    if (lowest === r.start) {
      functionFailed(r, err, true);
      return;
    }
    queued.push({ kind: 'finished', start: r.start, end: lowest });
    r.start = lowest;
    r.lastError = err;
    if (cfg.bisectBatchOnFunctionError) {
      r.failures = 0;
      return;
    }
    functionFailed(r, err, false);
  };

  return {
    next(): PlanStep {
      if (inFlight) throw new Error('BatchPlan.next(): the outcome of the last invoke was not reported');
      const q = queued.shift();
      if (q) return q;
      if (backoffDue !== undefined) {
        const delayMs = backoffDue;
        backoffDue = undefined;
        return { kind: 'backoff', delayMs };
      }
      const r = ranges[0];
      if (!r) return DONE;
      const expired = expiredPrefixLength(records, r.start, r.end, clock.now(), cfg.maximumRecordAgeInSeconds);
      if (expired > 0) {
        giveUp(r, r.start + expired, 'RecordAgeExceeded');
        return queued.shift() as PlanStep;
      }
      r.invokes++;
      inFlight = r;
      return { kind: 'invoke', start: r.start, end: r.end, attempt: r.invokes };
    },
    report(outcome: PlanOutcome): void {
      const r = inFlight;
      if (!r) throw new Error('BatchPlan.report(): no invoke is outstanding');
      inFlight = undefined;
      if (outcome.kind === 'success') {
        succeeded(r, outcome.payload);
        return;
      }
      const err: PlanError = { errorType: outcome.errorType, errorMessage: outcome.errorMessage, statusCode: outcome.statusCode };
      if (outcome.throttled) {
        r.lastError = err;
        retryLater(r);
        return;
      }
      functionFailed(r, err, true);
    },
  };
}

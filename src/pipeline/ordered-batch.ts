/**
 * Runs one batch of an ordered source (Kinesis, DynamoDB, Kafka) to the end: drives the failure
 * plan (retry in place, bisect, record age, ReportBatchItemFailures), invokes, backs off, routes
 * given-up records to the OnFailure destination, and reports finished records in plan order.
 * The batch keeps its in-flight slot and keys until it returns, so later records of its keys wait.
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';
import type { RecordId } from '../core/ids.js';
import { createBatchPlan, type BatchPlan } from '../failure/batch-plan.js';
import type { MappingSpec } from '../core/mapping.js';
import type { PolledRecord } from '../sources/source.js';
import type { BufferedRecord } from '../batching/batch-assembly.js';
import type { Batch } from '../batching/batcher.js';
import { batchPayloadBytes } from '../batching/payload-size.js';
import type { FailureInfo } from './failure-route.js';
import type { InvokeAttempt } from './invoker.js';

export type PlanFactory = (records: readonly { readonly id: RecordId; readonly arrivalMs: number }[], clock: Clock) => BatchPlan;

/** The failure plan with the mapping's MaximumRetryAttempts, MaximumRecordAgeInSeconds, bisect and ReportBatchItemFailures. */
export function planFromMapping(mapping: MappingSpec, backoffMs: (failures: number) => number): PlanFactory {
  const cfg = {
    maximumRetryAttempts: mapping.MaximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: mapping.MaximumRecordAgeInSeconds ?? -1,
    bisectBatchOnFunctionError: mapping.BisectBatchOnFunctionError ?? false,
    reportBatchItemFailures: mapping.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    backoffMs,
  };
  return (records, clock) => createBatchPlan(records, cfg, clock);
}

export interface OrderedBatchDeps {
  readonly plan: PlanFactory;
  readonly clock: Clock;
  readonly invoke: (records: readonly PolledRecord[], signal: AbortSignal, bytes?: number) => Promise<InvokeAttempt>;
  /** Records that succeeded or were routed: they count as finished. */
  readonly finish: (entries: readonly BufferedRecord[]) => void;
  /** Routes given-up records; resolves when they count as finished, rejects when `stop` aborts. */
  readonly fail: (info: Omit<FailureInfo, 'mapping' | 'shardId' | 'timestamp'>, signal: AbortSignal) => Promise<void>;
  readonly envelopeOverhead: number;
  /** Abandon: no new invoke, backoff or delivery starts; work already done is still reported. */
  readonly stop: AbortSignal;
  /** Passed to the runtime: aborts in-flight invokes (hard deadline). */
  readonly invokeSignal: AbortSignal;
}

export async function runOrderedBatch(batch: Batch, d: OrderedBatchDeps): Promise<void> {
  const { entries, records } = batch;
  if (batch.oversized) {
    await d.fail({ records, condition: 'MaximumPayloadSizeExceeded', attempts: 0, payloadBytes: batch.bytes }, d.stop);
    d.finish(entries);
    return;
  }
  const plan = d.plan(records, d.clock);
  let lastRequestId: string | undefined;
  for (;;) {
    const step = plan.next();
    switch (step.kind) {
      case 'done':
        return;
      case 'finished':
        d.finish(entries.slice(step.start, step.end));
        break;
      case 'backoff':
        if (d.stop.aborted) return;
        try {
          await delay(step.delayMs, d.stop, d.clock);
        } catch {
          return;
        }
        break;
      case 'invoke': {
        if (d.stop.aborted) return;
        const whole = step.start === 0 && step.end === records.length;
        const sub = whole ? records : records.slice(step.start, step.end);
        const attempt = await d.invoke(sub, d.invokeSignal, whole ? batch.bytes : undefined);
        lastRequestId = attempt.requestId;
        if (d.invokeSignal.aborted) return;
        plan.report(attempt.outcome);
        break;
      }
      case 'on-failure': {
        if (d.stop.aborted) return;
        const sub = records.slice(step.start, step.end);
        try {
          await d.fail(
            {
              records: sub,
              condition: step.condition,
              attempts: step.attempts,
              payloadBytes: batchPayloadBytes({ overheadBytes: d.envelopeOverhead }, sub),
              ...(step.lastError ? { lastError: step.lastError } : {}),
              ...(step.attempts > 0 && lastRequestId !== undefined ? { requestId: lastRequestId } : {}),
            },
            d.stop,
          );
        } catch {
          return;
        }
        d.finish(entries.slice(step.start, step.end));
        break;
      }
    }
  }
}

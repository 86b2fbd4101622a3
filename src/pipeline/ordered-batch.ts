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
import { parseBatchItemFailures } from '../failure/partial-failures.js';
import type { Batch } from '../batching/batcher.js';
import { batchPayloadBytes } from '../batching/payload-size.js';
import type { FailureInfo } from './failure-route.js';
import type { InvokeAttempt } from './invoker.js';

export interface PlanFactory {
  (records: readonly { readonly id: RecordId; readonly arrivalMs: number }[], clock: Clock): BatchPlan;
  /**
   * Set by planFromMapping when the plan's first step is always the invoke of the whole batch (no
   * record age limit): the batch then invokes first and builds the plan only if that invoke did
   * not finish every record (the plan is replayed with that first outcome — same steps as always).
   */
  readonly firstInvokeWhole?: { readonly reportBatchItemFailures: boolean };
}

/** The failure plan with the mapping's MaximumRetryAttempts, MaximumRecordAgeInSeconds, bisect and ReportBatchItemFailures. */
export function planFromMapping(mapping: MappingSpec, backoffMs: (failures: number) => number): PlanFactory {
  const cfg = {
    maximumRetryAttempts: mapping.MaximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: mapping.MaximumRecordAgeInSeconds ?? -1,
    bisectBatchOnFunctionError: mapping.BisectBatchOnFunctionError ?? false,
    reportBatchItemFailures: mapping.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    backoffMs,
  };
  const factory = (records: readonly { readonly id: RecordId; readonly arrivalMs: number }[], clock: Clock): BatchPlan =>
    createBatchPlan(records, cfg, clock);
  return cfg.maximumRecordAgeInSeconds < 0
    ? Object.assign(factory, { firstInvokeWhole: { reportBatchItemFailures: cfg.reportBatchItemFailures } })
    : factory;
}

/** True when a successful invoke's payload finishes every record (no batchItemFailures entry). */
function finishesAll(records: readonly PolledRecord[], payload: unknown, rbif: boolean): boolean {
  if (!rbif) return true;
  const ids: RecordId[] = new Array<RecordId>(records.length);
  for (let i = 0; i < records.length; i++) ids[i] = records[i]!.id;
  return parseBatchItemFailures(payload, ids).kind === 'success';
}

export interface OrderedBatchDeps {
  readonly plan: PlanFactory;
  readonly clock: Clock;
  readonly invoke: (records: readonly PolledRecord[], signal: AbortSignal, bytes?: number) => Promise<InvokeAttempt>;
  /** Records that succeeded or were routed: they count as finished. */
  readonly finish: (seqs: readonly number[]) => void;
  /** Routes given-up records; resolves when they count as finished, rejects when `stop` aborts. */
  readonly fail: (info: Omit<FailureInfo, 'mapping' | 'shardId' | 'timestamp'>, signal: AbortSignal) => Promise<void>;
  readonly envelopeOverhead: number;
  /** Abandon: no new invoke, backoff or delivery starts; work already done is still reported. */
  readonly stop: AbortSignal;
  /** Passed to the runtime: aborts in-flight invokes (hard deadline). */
  readonly invokeSignal: AbortSignal;
}

export async function runOrderedBatch(batch: Batch, d: OrderedBatchDeps): Promise<void> {
  const { seqs, records } = batch;
  if (batch.oversized) {
    await d.fail({ records, condition: 'MaximumPayloadSizeExceeded', attempts: 0, payloadBytes: batch.bytes }, d.stop);
    d.finish(seqs);
    return;
  }
  let lastRequestId: string | undefined;
  let plan: BatchPlan;
  const fast = d.plan.firstInvokeWhole;
  if (fast && records.length > 0) {
    // Fast path: the plan's first step is this invoke; the plan is built only when it is needed.
    if (d.stop.aborted) return;
    const attempt = await d.invoke(records, d.invokeSignal, batch.bytes);
    lastRequestId = attempt.requestId;
    if (d.invokeSignal.aborted) return;
    const { outcome } = attempt;
    if (outcome.kind === 'success' && finishesAll(records, outcome.payload, fast.reportBatchItemFailures)) {
      d.finish(seqs);
      return;
    }
    plan = d.plan(records, d.clock);
    const first = plan.next();
    if (first.kind !== 'invoke' || first.start !== 0 || first.end !== records.length) {
      throw new Error(`ordered batch: the plan's first step is ${first.kind}, not the invoke of the whole batch`);
    }
    plan.report(outcome);
  } else {
    plan = d.plan(records, d.clock);
  }
  for (;;) {
    const step = plan.next();
    switch (step.kind) {
      case 'done':
        return;
      case 'finished':
        d.finish(seqs.slice(step.start, step.end));
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
        d.finish(seqs.slice(step.start, step.end));
        break;
      }
    }
  }
}

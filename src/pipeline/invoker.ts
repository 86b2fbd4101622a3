/**
 * One invoke of the function with a list of records: builds the event through the source's
 * envelope, calls the runtime, turns the result (or a missing function / runtime failure) into a
 * PlanOutcome, and emits the per-invoke events.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { SluiceError } from '../core/errors.js';
import type { ShardId } from '../core/ids.js';
import type { MappingSpec } from '../core/mapping.js';
import type { PlanOutcome } from '../failure/batch-plan.js';
import type { FunctionRuntime } from '../invoke/runtime.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { EventEnvelope, PolledRecord } from '../sources/source.js';
import { batchPayloadBytes } from '../batching/payload-size.js';

/** LastProcessingResult feed: null = records flow (OK), a string = `PROBLEM: <string>`. */
export type ProcessingReporter = (problem: string | null) => void;

export interface InvokerDeps {
  readonly mapping: MappingSpec;
  readonly shardId: ShardId;
  readonly envelope: EventEnvelope;
  /** Looked up per invoke, so a function defined later (config reload) is picked up. */
  readonly runtime: () => FunctionRuntime | undefined;
  readonly events: PipelineEventBus;
  readonly clock: Clock;
  readonly report: ProcessingReporter;
  readonly requestId: () => string;
}

export interface InvokeAttempt {
  readonly outcome: PlanOutcome;
  readonly requestId: string;
}

/** The LastProcessingResult problem text for a mapping whose function does not exist. */
export function functionNotFoundProblem(mapping: MappingSpec): string {
  return `Function not found: ${mapping.FunctionArn}`;
}

export function createInvoker(d: InvokerDeps): (records: readonly PolledRecord[], signal: AbortSignal, bytes?: number) => Promise<InvokeAttempt> {
  const { mapping, shardId, events } = d;
  return async (records, signal, knownBytes) => {
    const requestId = d.requestId();
    const rt = d.runtime();
    if (!rt) {
      const msg = functionNotFoundProblem(mapping);
      d.report(msg);
      // Counted as a throttle: retried with backoff, never uses up retries or drops records.
      return { requestId, outcome: { kind: 'error', errorType: 'ResourceNotFoundException', errorMessage: msg, statusCode: 404, throttled: true } };
    }
    const bytes = knownBytes ?? batchPayloadBytes(d.envelope, records);
    const event = d.envelope.wrap(records);
    const inflight = events.has('inflight');
    if (inflight) events.emit('inflight', { mapping: mapping.UUID, functionName: mapping.FunctionName, delta: 1 });
    const started = d.clock.now();
    let outcome: PlanOutcome;
    let durationMs: number;
    try {
      const res = await rt.invoke(event, { signal, payloadBytes: bytes, requestId });
      durationMs = res.durationMs;
      if (res.kind === 'success') {
        outcome = { kind: 'success', payload: res.payload };
      } else {
        outcome = { kind: 'error', errorType: res.errorType, errorMessage: res.errorMessage, statusCode: res.statusCode, throttled: res.throttled };
      }
      d.report(null);
    } catch (err) {
      durationMs = d.clock.now() - started;
      const se = err instanceof SluiceError ? err : undefined;
      const message = err instanceof Error ? err.message : String(err);
      outcome = { kind: 'error', errorType: se?.code ?? 'ServiceException', errorMessage: message, statusCode: 500, throttled: se?.retriable ?? true };
      if (!signal.aborted) d.report(message);
    } finally {
      if (inflight) events.emit('inflight', { mapping: mapping.UUID, functionName: mapping.FunctionName, delta: -1 });
    }
    if (events.has('invoked')) events.emit('invoked', {
      mapping: mapping.UUID,
      functionName: mapping.FunctionName,
      shard: shardId,
      count: records.length,
      bytes,
      durationMs,
      ok: outcome.kind === 'success',
      ...(outcome.kind === 'error' ? { errorType: outcome.errorType } : {}),
    });
    return { requestId, outcome };
  };
}

export const defaultRequestId = (): string => randomUUID();

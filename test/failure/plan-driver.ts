/** Test helper: drives a BatchPlan to completion against a simulated function. */
import type { ManualClock } from '../../src/core/clock.js';
import type { BatchPlan, PlanOutcome, PlanStep } from '../../src/failure/batch-plan.js';

export interface DriveResult {
  readonly steps: PlanStep[];
  readonly invokes: { start: number; end: number; attempt: number }[];
  readonly settled: Exclude<PlanStep, { kind: 'invoke' } | { kind: 'backoff' } | { kind: 'done' }>[];
  readonly backoffs: number[];
}

export function drive(
  plan: BatchPlan,
  fn: (start: number, end: number, attempt: number) => PlanOutcome,
  clock: ManualClock,
  maxSteps = 100_000,
): DriveResult {
  const res: DriveResult = { steps: [], invokes: [], settled: [], backoffs: [] };
  for (let i = 0; i < maxSteps; i++) {
    const s = plan.next();
    res.steps.push(s);
    switch (s.kind) {
      case 'done':
        return res;
      case 'invoke':
        res.invokes.push({ start: s.start, end: s.end, attempt: s.attempt });
        plan.report(fn(s.start, s.end, s.attempt));
        break;
      case 'backoff':
        res.backoffs.push(s.delayMs);
        clock.advance(s.delayMs);
        break;
      default:
        res.settled.push(s);
    }
  }
  throw new Error(`plan did not finish within ${maxSteps} steps`);
}

/** Asserts the settled steps cover [0, n) exactly once, in order; returns a description on error. */
export function coverageProblem(settled: DriveResult['settled'], n: number): string | undefined {
  let next = 0;
  for (const s of settled) {
    if (s.start !== next) return `step ${JSON.stringify(s)} does not start at ${next}`;
    if (s.end <= s.start) return `empty step ${JSON.stringify(s)}`;
    next = s.end;
  }
  return next === n ? undefined : `settled up to ${next}, batch has ${n}`;
}

export const ERROR: PlanOutcome = { kind: 'error', errorType: 'Error', errorMessage: 'boom', statusCode: 200, throttled: false };
export const THROTTLED: PlanOutcome = { kind: 'error', errorType: 'TooManyRequestsException', errorMessage: 'Rate exceeded', statusCode: 429, throttled: true };
export const OK: PlanOutcome = { kind: 'success', payload: null };

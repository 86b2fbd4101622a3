/** Test doubles for pipeline unit tests: a controllable runtime and a recording committer. */
import type { FunctionRuntime, InvokeOptions, InvokeResult } from '../../src/invoke/runtime.js';
import type { PolledRecord, ShardCommitter } from '../../src/sources/source.js';

export interface Call {
  readonly event: { Records: { n: number; key: string }[] };
  readonly opts: InvokeOptions;
  readonly ns: number[];
  resolve(r: InvokeResult): void;
}

/**
 * A runtime whose invokes stay pending until the test answers them (`manual`), or that answers
 * at once with `respond`.
 */
export class FakeRuntime implements FunctionRuntime {
  readonly name = 'test-fn';
  readonly functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:test-fn';
  readonly calls: Call[] = [];
  readonly pending: Call[] = [];
  respond: ((ns: number[], call: number) => InvokeResult) | undefined;
  closed = false;

  constructor(respond?: (ns: number[], call: number) => InvokeResult) {
    this.respond = respond;
  }

  invoke(event: unknown, opts: InvokeOptions): Promise<InvokeResult> {
    return new Promise((resolve) => {
      const ev = event as Call['event'];
      const ns = ev.Records.map((r) => r.n);
      const call: Call = { event: ev, opts, ns, resolve };
      this.calls.push(call);
      if (this.respond) resolve(this.respond(ns, this.calls.length));
      else this.pending.push(call);
    });
  }

  /** Answers the oldest (or the given) pending invoke. */
  answer(r: InvokeResult, index = 0): Call {
    const [c] = this.pending.splice(index, 1);
    if (!c) throw new Error('no pending invoke');
    c.resolve(r);
    return c;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export const ok = (payload: unknown = null): InvokeResult => ({ kind: 'success', payload, durationMs: 1 });
export const fnError = (throttled = false): InvokeResult => ({
  kind: 'function-error',
  errorType: 'Error',
  errorMessage: 'boom',
  statusCode: throttled ? 429 : 200,
  throttled,
  durationMs: 1,
});

export class RecordingCommitter implements ShardCommitter {
  readonly checkpoints: number[] = [];
  readonly completed: number[][] = [];
  readonly released: number[][] = [];
  failCheckpoints = 0;
  async checkpoint(last: PolledRecord): Promise<void> {
    if (this.failCheckpoints > 0) {
      this.failCheckpoints--;
      throw new Error('checkpoint store down');
    }
    this.checkpoints.push(n(last));
  }
  async complete(records: readonly PolledRecord[]): Promise<void> {
    this.completed.push(records.map(n));
  }
  async release(records: readonly PolledRecord[]): Promise<void> {
    this.released.push(records.map(n));
  }
}

export const n = (r: PolledRecord): number => (r.event as { n: number }).n;

/** Lets pending promise callbacks run (no timers involved). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

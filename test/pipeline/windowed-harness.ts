/** Shared by the tumbling-window pipeline tests: a committer that records window state, helpers. */
import type { PolledRecord, ShardCommitter } from '../../src/sources/source.js';
import type { ShardPipelineDeps } from '../../src/pipeline/shard-pipeline.js';
import { rec } from '../batching/records.js';
import { n } from './fakes.js';
import { harness } from './harness.js';

/** ManualClock starts at 1_700_000_000_000; with 60 s windows that lies in [W0, W0 + 60 s). */
export const W0 = 1_699_999_980_000;
export const W1 = W0 + 60_000;
export const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
export const iso = (ms: number): string => new Date(ms).toISOString();

export class WindowCommitter implements ShardCommitter {
  readonly checkpoints: { n: number; windowState: string | null | undefined }[] = [];
  async checkpoint(last: PolledRecord, extra?: { windowState?: string | null }): Promise<void> {
    this.checkpoints.push({ n: n(last), windowState: extra?.windowState });
  }
  async complete(): Promise<void> {}
  async release(): Promise<void> {}
  /** The state object persisted with the last checkpoint. */
  lastState(): unknown {
    const ws = this.checkpoints.at(-1)?.windowState;
    return ws ? (JSON.parse(ws) as { state: unknown }).state : ws;
  }
}

export interface WindowEvent {
  Records: { n: number }[];
  window: { start: string; end: string };
  state: Record<string, unknown>;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

/** A Kinesis shard pipeline with 60 s tumbling windows (override any mapping field). */
export function windowed(over: Record<string, unknown> = {}, deps: Partial<ShardPipelineDeps> = {}) {
  const committer = new WindowCommitter();
  const h = harness('kinesis', { TumblingWindowInSeconds: 60, EventSourceArn: ARN, ...over }, { committer, ...deps });
  const pendingEv = (): WindowEvent => h.runtime.pending[0]!.event as unknown as WindowEvent;
  return { ...h, committer, pendingEv };
}

/** Records `ns` that arrived at `arrivalMs`, all with key 'k'. */
export const at = (ns: number[], arrivalMs: number): PolledRecord[] => ns.map((i) => rec(i, 'k', { arrivalMs }));

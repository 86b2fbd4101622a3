/**
 * Tumbling windows (TumblingWindowInSeconds > 0, Kinesis and DynamoDB Streams) in a shard pipeline.
 * The shard runs one batch at a time; each batch is split by window and every piece is run through
 * the ordered failure plan (runOrderedBatch) with the window fields added to the event.
 *
 * AWS rules (esm-semantics.md §4), as applied here:
 * - every invoke carries `window {start, end}`, `state` (`{}` first), `shardId`, `eventSourceARN`,
 *   `isFinalInvokeForWindow`, `isWindowTerminatedEarly`;
 * - the returned `state` is carried to the next invoke of the window; a response without an object
 *   `state` is a function failure (retried / bisected / given up like any function error);
 * - the window gets a final invoke (no records, `isFinalInvokeForWindow: true`) when a record of a
 *   later window is about to be invoked, when the clock passes the window's end, or when the shard
 *   ends; a state over 1 MB ends the window early (`isWindowTerminatedEarly: true`) and the rest of
 *   the interval starts over at `{}`;
 * - the window state is persisted with every checkpoint (the state as of the finished records).
 * Sluice decisions: a final invoke that fails is retried like a batch (backoff, MaximumRetryAttempts;
 * throttles do not count) and then given up with a warning (it carries no records); a final invoke
 * may be repeated after a restart (the closed state is persisted with the next checkpoint); the
 * end-of-window timer waits while records are buffered in the shard (they may belong to the window);
 * records polled after their window was closed (iterator lag) open that interval again at `{}`; a
 * partial-failure reply's `state` is kept (the retried records are sent with it); batches keep
 * 1 MB + 1 KB of the 6 MB payload cap free for the window fields.
 */
import type { Clock } from '../core/clock.js';
import { delay } from '../core/clock.js';
import type { ShardId } from '../core/ids.js';
import type { MappingSpec } from '../core/mapping.js';
import type { Logger } from '../observability/logger.js';
import type { EventEnvelope, PolledRecord, ShardCommitter } from '../sources/source.js';
import type { Batch } from '../batching/batcher.js';
import { batchPayloadBytes, PAYLOAD_LIMIT_BYTES } from '../batching/payload-size.js';
import {
  applyWindowResponse,
  deserializeWindowState,
  finalInvokeFlags,
  MAX_WINDOW_STATE_BYTES,
  openWindow,
  parseWindowResponse,
  segmentByWindow,
  serializeWindowState,
  windowEventFields,
  type CloseReason,
  type WindowState,
} from '../failure/tumbling-window.js';
import { retriesExhausted } from '../failure/retry-policy.js';
import type { InvokeAttempt } from './invoker.js';
import { runOrderedBatch, type OrderedBatchDeps } from './ordered-batch.js';

type Invoke = (records: readonly PolledRecord[], signal: AbortSignal, bytes?: number) => Promise<InvokeAttempt>;

/** Stored window state (CheckpointStore `windowState` column), read when the shard opens. */
export type WindowStateLoader = () => string | null | undefined | Promise<string | null | undefined>;

export interface WindowedShardDeps {
  readonly mapping: MappingSpec;
  readonly shardId: ShardId;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The source's envelope; the window fields are added to each event it builds. */
  readonly envelope: EventEnvelope;
  /** Builds the pipeline's invoker for an envelope (createInvoker with the pipeline's deps). */
  readonly makeInvoke: (envelope: EventEnvelope) => Invoke;
  /** runOrderedBatch deps without `invoke` (plan, finish, fail, signals). */
  readonly ordered: Omit<OrderedBatchDeps, 'invoke'>;
  /** Delay before the n-th retry of a failed final invoke. */
  readonly backoffMs: (failures: number) => number;
  /**
   * Records buffered and not yet in a batch. While there are some, the end-of-window timer leaves
   * the window open: their batch runs first (they may belong to it) and re-arms the timer.
   */
  readonly buffered: () => number;
  /** Registers background work (timer-driven final invokes) so close/abandon waits for it. */
  readonly track: (p: Promise<void>) => void;
  readonly initialWindowState?: WindowStateLoader;
}

export interface WindowedShard {
  /** Runs a batch (serialized with final invokes). */
  runBatch(batch: Batch): Promise<void>;
  /** The shard ended (drain, resharding): the open window gets its final invoke. */
  endShard(signal: AbortSignal): Promise<void>;
  /** The committer to give the settlement: each checkpoint carries the window state. */
  readonly committer: ShardCommitter;
  /** Stops the end-of-window timer; idempotent. */
  dispose(): void;
}

/** TumblingWindowInSeconds when windows apply to this mapping, else 0. */
export function tumblingWindowSeconds(m: MappingSpec): number {
  const w = m.TumblingWindowInSeconds ?? 0;
  return (m.sourceKind === 'kinesis' || m.sourceKind === 'dynamodb') && w > 0 ? w : 0;
}

/** The outcome of an invoke that was not made because the shard is stopping. */
const STOPPED = { kind: 'error', errorType: 'Aborted', errorMessage: 'shard stopping', statusCode: 0, throttled: true } as const;

/** What the window fields may add to an event with records: a state of up to 1 MB plus the rest. */
export const WINDOW_FIELDS_RESERVE_BYTES = MAX_WINDOW_STATE_BYTES + 1024;

/** The batcher's payload cap: in windowed mode room is kept for the window fields. */
export function windowedPayloadLimit(m: MappingSpec, limit: number | undefined): number | undefined {
  return limit ?? (tumblingWindowSeconds(m) > 0 ? PAYLOAD_LIMIT_BYTES - WINDOW_FIELDS_RESERVE_BYTES : undefined);
}

export function createWindowedShard(d: WindowedShardDeps, committer: ShardCommitter): WindowedShard {
  const { mapping, shardId, clock, logger } = d;
  const seconds = tumblingWindowSeconds(mapping);
  const fieldCtx = { shardId, eventSourceARN: mapping.EventSourceArn ?? '' };
  let ws: WindowState | undefined;
  /** The window state as of the finished records: what every checkpoint persists. */
  let persisted: string | null = null;
  let flags = { isFinalInvokeForWindow: false, isWindowTerminatedEarly: false };
  let disposed = false;
  let cancelTimer: (() => void) | undefined;

  /** UTF-8 size of the window fields' JSON; the state (up to 1 MB) is not serialized again: its size is `stateBytes`. */
  const fieldsBytes = (w: WindowState): number =>
    Buffer.byteLength(JSON.stringify(windowEventFields({ ...w, state: {} }, fieldCtx, flags)), 'utf8') - 2 + w.stateBytes;
  const envelope: EventEnvelope = {
    get overheadBytes() {
      // `{...envelope, ...fields}`: the fields' members plus one comma.
      const extra = ws ? fieldsBytes(ws) - 2 : 0;
      return d.envelope.overheadBytes + (extra > 0 ? extra + 1 : 0);
    },
    wrap(records) {
      const base = d.envelope.wrap(records) as Record<string, unknown>;
      return ws ? { ...base, ...windowEventFields(ws, fieldCtx, flags) } : base;
    },
  };
  const baseInvoke = d.makeInvoke(envelope);

  let chain: Promise<unknown> = (async () => {
    try {
      const text = await d.initialWindowState?.();
      if (typeof text === 'string') {
        ws = deserializeWindowState(text);
        if (ws) persisted = text;
        else logger.warn('stored window state is not valid; starting a new window', { shardId });
      }
    } catch (err) {
      logger.warn('could not read the stored window state; starting a new window', { shardId, err });
    }
    armTimer();
  })();

  /** Runs `fn` after everything queued before it; its own failure is the caller's. */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };

  function armTimer(): void {
    cancelTimer?.();
    cancelTimer = undefined;
    if (disposed || !ws) return;
    const end = ws.window.endMs;
    cancelTimer = clock.setTimer(() => {
      cancelTimer = undefined;
      if (disposed || d.buffered() > 0) return;
      d.track(
        serial(async () => {
          if (!disposed && ws && ws.window.endMs === end && clock.now() >= end) await closeWindow('window-ended', d.ordered.stop);
        }).catch((err: unknown) => logger.error('final invoke of the window failed unexpectedly', { shardId, err })),
      );
    }, end - clock.now());
  }

  /** Final invoke of the open window; afterwards no window is open (or a fresh one after an early end). */
  async function closeWindow(reason: CloseReason, stop: AbortSignal): Promise<void> {
    const w = ws;
    if (!w) return;
    let failures = 0;
    let retries = 0;
    for (;;) {
      if (stop.aborted) return;
      flags = finalInvokeFlags(reason);
      let attempt: InvokeAttempt;
      try {
        attempt = await baseInvoke([], d.ordered.invokeSignal);
      } finally {
        flags = { isFinalInvokeForWindow: false, isWindowTerminatedEarly: false };
      }
      if (d.ordered.invokeSignal.aborted) return;
      const o = attempt.outcome;
      let error: string | undefined;
      let counts = true;
      if (o.kind === 'success') {
        const r = parseWindowResponse(o.payload);
        if (r.kind === 'ok') break;
        error = r.reason;
      } else {
        error = `${o.errorType}: ${o.errorMessage}`;
        counts = !o.throttled;
      }
      if (counts && retriesExhausted(++retries, mapping.MaximumRetryAttempts ?? -1)) {
        logger.warn('final invoke of the window failed; the window is closed without it', { shardId, error, window: w.window });
        break;
      }
      try {
        await delay(d.backoffMs(++failures), stop, clock);
      } catch {
        return;
      }
    }
    // An early end restarts the interval at {}: its records still belong to it (the timer closes it).
    ws = reason === 'state-over-cap' ? openWindow(w.window) : undefined;
    persisted = ws ? serializeWindowState(ws) : null;
    armTimer();
  }

  /** Invoke of records of the open window: closes an over-cap window first, checks the reply's state. */
  const invoke: Invoke = async (records, signal) => {
    if (ws && ws.stateBytes > MAX_WINDOW_STATE_BYTES) {
      await closeWindow('state-over-cap', d.ordered.stop);
      // Not closed (stop or deadline): invoke nothing; the records stay unfinished.
      if (ws && ws.stateBytes > MAX_WINDOW_STATE_BYTES) return { requestId: '', outcome: STOPPED };
    }
    const w = ws;
    const attempt = await baseInvoke(records, signal);
    if (attempt.outcome.kind !== 'success' || !w || ws !== w) return attempt;
    const r = parseWindowResponse(attempt.outcome.payload);
    if (r.kind === 'failure') {
      return { requestId: attempt.requestId, outcome: { kind: 'error', errorType: '', errorMessage: `invalid tumbling window response: ${r.reason}`, statusCode: 200, throttled: false } };
    }
    ws = applyWindowResponse(w, r);
    return attempt;
  };

  const orderedDeps: OrderedBatchDeps = {
    ...d.ordered,
    invoke,
    finish(seqs) {
      persisted = ws ? serializeWindowState(ws) : null;
      d.ordered.finish(seqs);
    },
  };

  async function processBatch(batch: Batch): Promise<void> {
    const stop = d.ordered.stop;
    for (const seg of segmentByWindow(batch.records, seconds, ws?.window)) {
      if (stop.aborted) return;
      if (ws && ws.window.startMs !== seg.window.startMs) await closeWindow('window-ended', stop);
      // Not closed (stop or deadline): the rest of the batch stays unfinished (never checkpointed).
      if (stop.aborted || (ws && ws.window.startMs !== seg.window.startMs)) return;
      if (!ws) {
        ws = openWindow(seg.window);
        armTimer();
      }
      const whole = seg.start === 0 && seg.end === batch.records.length;
      const records = whole ? batch.records : batch.records.slice(seg.start, seg.end);
      const piece: Batch = whole
        ? batch
        : {
            id: batch.id,
            seqs: batch.seqs.slice(seg.start, seg.end),
            records,
            bytes: batchPayloadBytes(d.envelope, records),
            oversized: batch.oversized,
            keys: batch.keys,
          };
      await runOrderedBatch(piece, orderedDeps);
    }
    armTimer();
  }

  return {
    runBatch: (batch) => serial(() => processBatch(batch)),
    endShard: (signal) => serial(() => closeWindow('shard-ended', AbortSignal.any([signal, d.ordered.stop]))),
    committer: {
      checkpoint: (last) => committer.checkpoint(last, { windowState: persisted }),
      complete: (rs) => committer.complete(rs),
      release: (rs) => committer.release(rs),
    },
    dispose() {
      disposed = true;
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}

/**
 * Tumbling windows (TumblingWindowInSeconds, Kinesis and DynamoDB Streams) as pure functions; the
 * shard pipeline threads a `WindowState` through them and persists it between invokes.
 *
 * AWS rules (esm-semantics.md §4, "Tumbling windows" in the Kinesis/DynamoDB guides):
 * - windows are fixed, non-overlapping intervals aligned on record arrival time: a record that
 *   arrived at t belongs to [floor(t / W) * W, that + W) (W = TumblingWindowInSeconds);
 * - every invoke of a window carries `window {start, end}` (ISO-8601), `state` (what the function
 *   returned last time in this window, `{}` at first), `shardId`, `eventSourceARN`,
 *   `isFinalInvokeForWindow`, `isWindowTerminatedEarly`;
 * - the function must answer `{"state": {...}, "batchItemFailures": [...]}`; a response without an
 *   object `state` is a failure of the invoke (retried like any function error);
 * - state is capped at 1 MB: a returned state over the cap ends the window early — a final invoke
 *   with `isWindowTerminatedEarly: true` follows and the rest of the interval starts over at `{}`;
 * - when the window's interval has passed (a record of a later window arrives, or the clock passes
 *   its end) or the shard ends (resharding), the window gets a final invoke with no records and
 *   `isFinalInvokeForWindow: true`.
 * Records never move back in time: a record whose arrival falls before the open window (clock skew)
 * joins the open window.
 */

/** 1 MB state cap per shard. */
export const MAX_WINDOW_STATE_BYTES = 1024 * 1024;

export interface WindowBounds {
  /** Epoch ms, inclusive. */
  readonly startMs: number;
  /** Epoch ms, exclusive. */
  readonly endMs: number;
}

/** The open window of a shard. Plain JSON: persist it with `serializeWindowState`. */
export interface WindowState {
  readonly window: WindowBounds;
  readonly state: Record<string, unknown>;
  /** UTF-8 byte size of JSON.stringify(state). */
  readonly stateBytes: number;
  /** Invokes made in this window so far. */
  readonly invokes: number;
}

export interface WindowEventFields {
  readonly window: { readonly start: string; readonly end: string };
  readonly state: Record<string, unknown>;
  readonly shardId: string;
  readonly eventSourceARN: string;
  readonly isFinalInvokeForWindow: boolean;
  readonly isWindowTerminatedEarly: boolean;
}

/** Records [start, end) of a batch that fall into `window`. */
export interface WindowSegment {
  readonly start: number;
  readonly end: number;
  readonly window: WindowBounds;
}

export function windowBounds(arrivalMs: number, windowSeconds: number): WindowBounds {
  if (!(windowSeconds >= 1 && windowSeconds <= 900)) throw new RangeError(`TumblingWindowInSeconds ${windowSeconds} is not in 1..900`);
  const w = windowSeconds * 1000;
  const startMs = Math.floor(arrivalMs / w) * w;
  return { startMs, endMs: startMs + w };
}

/**
 * Splits a batch (in shard order) into runs of records of the same window. `open` is the shard's
 * open window, if any: records that would fall before it join it.
 */
export function segmentByWindow(
  records: readonly { readonly arrivalMs: number }[],
  windowSeconds: number,
  open?: WindowBounds,
): WindowSegment[] {
  const out: WindowSegment[] = [];
  let current = open;
  let segStart = 0;
  for (let i = 0; i < records.length; i++) {
    const arrival = (records[i] as { arrivalMs: number }).arrivalMs;
    let b = windowBounds(arrival, windowSeconds);
    if (current && b.startMs <= current.startMs) b = current;
    if (!current || b.startMs !== current.startMs) {
      if (current && i > segStart) out.push({ start: segStart, end: i, window: current });
      current = b;
      segStart = i;
    }
  }
  if (current && records.length > segStart) out.push({ start: segStart, end: records.length, window: current });
  return out;
}

export function openWindow(window: WindowBounds): WindowState {
  return { window, state: {}, stateBytes: 2, invokes: 0 };
}

export function windowEventFields(
  ws: WindowState,
  ctx: { readonly shardId: string; readonly eventSourceARN: string },
  flags: { readonly isFinalInvokeForWindow: boolean; readonly isWindowTerminatedEarly: boolean },
): WindowEventFields {
  return {
    window: { start: new Date(ws.window.startMs).toISOString(), end: new Date(ws.window.endMs).toISOString() },
    state: ws.state,
    shardId: ctx.shardId,
    eventSourceARN: ctx.eventSourceARN,
    isFinalInvokeForWindow: flags.isFinalInvokeForWindow,
    isWindowTerminatedEarly: flags.isWindowTerminatedEarly,
  };
}

export type WindowResponse =
  | { readonly kind: 'ok'; readonly state: Record<string, unknown>; readonly stateBytes: number; readonly overCap: boolean }
  | { readonly kind: 'failure'; readonly reason: string };

/** Checks a function response of a windowed invoke: it must carry an object `state`. */
export function parseWindowResponse(payload: unknown): WindowResponse {
  let p = payload;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p) as unknown;
    } catch {
      return { kind: 'failure', reason: 'the response is not JSON' };
    }
  }
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return { kind: 'failure', reason: 'the response is not an object with state' };
  if (!Object.prototype.hasOwnProperty.call(p, 'state')) return { kind: 'failure', reason: 'the response has no state' };
  const state = (p as { state: unknown }).state;
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return { kind: 'failure', reason: 'state is not an object' };
  const stateBytes = Buffer.byteLength(JSON.stringify(state), 'utf8');
  return { kind: 'ok', state: state as Record<string, unknown>, stateBytes, overCap: stateBytes > MAX_WINDOW_STATE_BYTES };
}

/** The window after a successful invoke with response `r`. */
export function applyWindowResponse(ws: WindowState, r: Extract<WindowResponse, { kind: 'ok' }>): WindowState {
  return { window: ws.window, state: r.state, stateBytes: r.stateBytes, invokes: ws.invokes + 1 };
}

export type CloseReason = 'window-ended' | 'shard-ended' | 'state-over-cap';

/**
 * Whether the open window needs its final invoke now, and why. `nextArrivalMs`: arrival of the next
 * record of the shard, if one is waiting; `nowMs`: the clock.
 */
export function windowCloseReason(
  ws: WindowState,
  at: { readonly nowMs: number; readonly nextArrivalMs?: number; readonly shardEnded?: boolean },
): CloseReason | undefined {
  if (ws.stateBytes > MAX_WINDOW_STATE_BYTES) return 'state-over-cap';
  if (at.shardEnded) return 'shard-ended';
  if (at.nowMs >= ws.window.endMs) return 'window-ended';
  if (at.nextArrivalMs !== undefined && at.nextArrivalMs >= ws.window.endMs) return 'window-ended';
  return undefined;
}

/** Flags of the final invoke for a close reason. */
export function finalInvokeFlags(reason: CloseReason): { isFinalInvokeForWindow: true; isWindowTerminatedEarly: boolean } {
  return { isFinalInvokeForWindow: true, isWindowTerminatedEarly: reason === 'state-over-cap' };
}

export function serializeWindowState(ws: WindowState): string {
  return JSON.stringify(ws);
}

/** Parses a persisted window; undefined when the text is not a valid window state. */
export function deserializeWindowState(text: string): WindowState | undefined {
  try {
    const v = JSON.parse(text) as Partial<WindowState> | null;
    const w = v?.window;
    if (
      !v || !w || typeof w.startMs !== 'number' || typeof w.endMs !== 'number' || w.endMs <= w.startMs ||
      v.state === null || typeof v.state !== 'object' || Array.isArray(v.state) ||
      typeof v.stateBytes !== 'number' || typeof v.invokes !== 'number'
    ) return undefined;
    return { window: { startMs: w.startMs, endMs: w.endMs }, state: v.state, stateBytes: v.stateBytes, invokes: v.invokes };
  } catch {
    return undefined;
  }
}

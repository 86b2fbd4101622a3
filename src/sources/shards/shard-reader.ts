/**
 * The poll loop of one shard: GetRecords at the pace PollPacer allows, records handed to the
 * pipeline through ShardSink.push (awaited: backpressure), iterators renewed after the last record
 * handed over, and the end of a closed shard turned into drain → `finished`.
 */
import type { Clock } from '../../core/clock.js';
import { delay } from '../../core/clock.js';
import { AbortedError } from '../../core/errors.js';
import type { MappingUuid, ShardId } from '../../core/ids.js';
import type { PipelineEventBus } from '../../observability/events.js';
import type { Logger } from '../../observability/logger.js';
import type { ShardSink } from '../source.js';
import { PollPacer, type PollPacerOptions } from './poll-pacer.js';
import type { ShardCheckpointer } from './shard-checkpointer.js';
import type { IteratorStart, StreamApi } from './stream-api.js';

/** How a shard's reading ended. */
export type ReaderOutcome =
  /** The shard was closed, every record is finished and status `finished` is stored. */
  | { readonly kind: 'finished' }
  /** Stopped (abort, or the sink was closed); position kept. */
  | { readonly kind: 'stopped' }
  /** The stream or shard does not exist (any more). */
  | { readonly kind: 'notFound'; readonly error: unknown };

export interface ShardReaderDeps {
  readonly api: StreamApi;
  readonly shard: ShardId;
  readonly mapping: MappingUuid;
  readonly sink: ShardSink;
  readonly checkpointer: ShardCheckpointer;
  readonly start: IteratorStart;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  readonly pacing?: PollPacerOptions;
}

export async function runShardReader(d: ShardReaderDeps): Promise<ReaderOutcome> {
  const pacer = new PollPacer(d.clock, d.pacing);
  const { api, shard, signal } = d;
  /** Where a renewed iterator starts: after the last record handed to the pipeline. */
  let resume: IteratorStart = d.start;
  let lastPushed: string | null = null;
  let iterator: string | undefined;

  while (!signal.aborted) {
    const wait = pacer.waitMs();
    if (wait > 0) {
      try {
        await delay(wait, signal, d.clock);
      } catch {
        break;
      }
    }
    try {
      if (iterator === undefined) {
        const began = d.clock.now();
        iterator = await api.getIterator(shard, resume, signal);
        // A LATEST iterator renewed later must not jump over records that arrived meanwhile.
        if (resume.type === 'LATEST' && api.supportsTimestamp) resume = { type: 'AT_TIMESTAMP', timestampMs: began };
      }
      pacer.started();
      const res = await api.getRecords(shard, iterator, signal);
      d.events.emit('iteratorAge', { mapping: d.mapping, shard, ms: res.iteratorAgeMs });
      if (res.records.length > 0) {
        await d.sink.push(res.records, signal);
        lastPushed = res.records[res.records.length - 1]!.id;
        resume = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastPushed };
        // 'polled' is emitted by the shard pipeline when it accepts the records.
      }
      if (res.nextIterator === null) return await finishShard(d, lastPushed);
      iterator = res.nextIterator;
      pacer.outcome(res.behind ? 'behind' : 'caughtUp');
    } catch (e) {
      if (signal.aborted || isAborted(e)) break;
      const kind = api.classify(e);
      switch (kind) {
        case 'notFound':
          return { kind: 'notFound', error: e };
        case 'throttled':
          pacer.outcome('throttled');
          d.logger.debug('shard read throttled', { shardId: shard, error: e });
          break;
        case 'trimmed':
          d.logger.warn('records past the retention period were trimmed; continuing at TRIM_HORIZON', { shardId: shard, error: e });
          resume = { type: 'TRIM_HORIZON' };
          iterator = undefined;
          pacer.outcome('error');
          break;
        case 'iterator':
          d.logger.debug('shard iterator expired or invalid; renewing', { shardId: shard, error: e });
          iterator = undefined;
          pacer.outcome('error');
          break;
        case 'other':
          d.logger.warn('shard read failed; retrying', { shardId: shard, error: e });
          iterator = undefined;
          pacer.outcome('error');
          break;
      }
    }
  }
  return { kind: 'stopped' };
}

/** The closed shard's last record was handed over: drain, verify, then `finished`. */
async function finishShard(d: ShardReaderDeps, lastPushed: string | null): Promise<ReaderOutcome> {
  try {
    await d.checkpointer.markClosed();
    // No signal on close: a stop() during this drain gives the sink its own deadline (Source.stop).
    await untilAborted(d.sink.close({ mode: 'drain', shardEnded: true }), d.signal);
    await untilAborted(d.sink.drained(d.signal), d.signal);
  } catch (e) {
    if (d.signal.aborted || isAborted(e)) return { kind: 'stopped' };
    throw e;
  }
  if (d.signal.aborted) return { kind: 'stopped' };
  if (lastPushed !== null && d.checkpointer.position !== lastPushed) {
    // Never mark a shard finished past a record that is not checkpointed: its children wait.
    d.logger.error('closed shard drained but its last record is not checkpointed; children stay blocked', {
      shardId: d.shard,
      lastPushed,
      position: d.checkpointer.position,
    });
    return { kind: 'stopped' };
  }
  await d.checkpointer.markFinished();
  return { kind: 'finished' };
}

/** `p`, or an AbortedError as soon as `signal` aborts (a sink that ignores the signal cannot hold stop()). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError('shard reader stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError('shard reader stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function isAborted(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORTED';
}

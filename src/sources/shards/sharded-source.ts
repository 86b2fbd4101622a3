/**
 * The Source for shard-based streams (Kinesis, DynamoDB Streams), shared by both: discovers the
 * shards, follows their lineage (a child starts only after its parents are `finished`), runs one
 * poll loop per readable shard, re-discovers periodically and whenever a shard ends, and stops
 * with a drain deadline. The service specifics live behind StreamApi.
 */
import type { ShardId } from '../../core/ids.js';
import type { MappingSpec, SourceKind } from '../../core/mapping.js';
import { AbortedError, SourceError } from '../../core/errors.js';
import type { ShardCheckpoint } from '../../state/store.js';
import type { ShardSink, Source, SourceContext } from '../source.js';
import { buildLineage, isClosedWithChildren, parentsOf, readyShards, type Lineage } from './lineage.js';
import type { PollPacerOptions } from './poll-pacer.js';
import { ShardCheckpointer } from './shard-checkpointer.js';
import { runShardReader, type ReaderOutcome } from './shard-reader.js';
import { chooseStart } from './start-position.js';
import type { IteratorStart, StreamApi } from './stream-api.js';

export interface ShardedSourceOptions {
  /** How often the shard list is re-read to follow resharding. Default 10 000 ms. */
  readonly discoveryIntervalMs?: number;
  /** Drain deadline on stop() when the caller gives none. Default 30 000 ms. */
  readonly stopDeadlineMs?: number;
  /** Poll pacing per shard (defaults: AWS's 5 GetRecords/s, idle 200 ms → 1 s). */
  readonly pacing?: PollPacerOptions;
}

interface ShardRun {
  readonly sink: ShardSink;
  readonly controller: AbortController;
  readonly done: Promise<ReaderOutcome>;
}

export function createShardedSource(
  kind: SourceKind,
  spec: MappingSpec,
  connect: (ctx: SourceContext) => StreamApi,
  opts: ShardedSourceOptions = {},
): Source {
  const discoveryMs = opts.discoveryIntervalMs ?? 10_000;
  const controller = new AbortController();
  const runs = new Map<ShardId, ShardRun>();
  const checkpointers = new Map<ShardId, ShardCheckpointer>();
  /** Shards not to read: finished, or skipped by a LATEST start. */
  const done = new Set<ShardId>();
  let ctx: SourceContext | undefined;
  let api: StreamApi | undefined;
  let lineage: Lineage = buildLineage([]);
  let cancelTimer: (() => void) | undefined;
  let discovering: Promise<void> | undefined;
  let again = false;
  let problem = false;
  let started = false;
  let stopping: Promise<void> | undefined;

  const checkpointerFor = (c: SourceContext, id: ShardId, initial?: ShardCheckpoint): ShardCheckpointer => {
    let cp = checkpointers.get(id);
    if (!cp) {
      cp = new ShardCheckpointer({ store: c.checkpoints, mapping: spec.UUID, shard: id, clock: c.clock, ...(initial ? { initial } : {}) });
      checkpointers.set(id, cp);
    }
    return cp;
  };

  const report = (text: string | null): void => {
    if (text === null && !problem) return;
    problem = text !== null;
    ctx?.reportProblem(text);
  };

  /** Reads the shard list once; throws what listShards throws. */
  const discoverOnce = async (c: SourceContext, a: StreamApi): Promise<void> => {
    const list = await a.listShards(controller.signal);
    lineage = buildLineage(list);
    report(null);
    schedule(c, a);
  };

  /** Single-flight discovery that never throws (periodic, and after a shard ends). */
  const discover = (): void => {
    const c = ctx;
    const a = api;
    if (!c || !a || controller.signal.aborted) return;
    if (discovering) {
      again = true;
      return;
    }
    discovering = (async () => {
      do {
        again = false;
        try {
          await discoverOnce(c, a);
        } catch (e) {
          if (controller.signal.aborted) return;
          if (a.classify(e) === 'notFound') report(`${a.label} not found: ${errorText(e)}`);
          else c.logger.warn('shard discovery failed; retrying', { error: e });
        }
      } while (again && !controller.signal.aborted);
    })().finally(() => {
      discovering = undefined;
    });
  };

  const armTimer = (c: SourceContext): void => {
    cancelTimer?.();
    if (controller.signal.aborted) return;
    cancelTimer = c.clock.setTimer(() => {
      discover();
      armTimer(c);
    }, discoveryMs);
  };

  const schedule = (c: SourceContext, a: StreamApi): void => {
    if (controller.signal.aborted) return;
    const isDone = (id: ShardId): boolean => done.has(id) || checkpointers.get(id)?.status === 'finished';
    // Repeat: skipping a shard can make its children ready in the same pass.
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const id of readyShards(lineage, { isDone, isRunning: (id) => runs.has(id) })) {
        const s = lineage.shards.get(id)!;
        const cp = checkpointerFor(c, id);
        const decision = chooseStart({
          mode: spec.StartingPosition ?? 'TRIM_HORIZON',
          ...(spec.StartingPositionTimestamp !== undefined ? { timestampMs: Math.round(spec.StartingPositionTimestamp * 1000) } : {}),
          supportsTimestamp: a.supportsTimestamp,
          ...(cp.snapshot ? { checkpoint: cp.snapshot } : {}),
          parentRead: parentsOf(s).some((p) => checkpointers.get(p)?.snapshot !== undefined),
          closedWithChildren: isClosedWithChildren(lineage, id),
        });
        if (decision.kind === 'read') {
          startShard(c, a, id, cp, decision.start, decision.writeMarker);
        } else {
          done.add(id);
          progressed = true;
        }
      }
    }
  };

  const startShard = (
    c: SourceContext,
    a: StreamApi,
    id: ShardId,
    cp: ShardCheckpointer,
    start: IteratorStart,
    writeMarker: boolean,
  ): void => {
    const sink = c.openShard(id, cp, a.envelope);
    const rc = new AbortController();
    const onAbort = (): void => rc.abort(controller.signal.reason);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    const logger = c.logger.child({ shardId: id });
    const reading = (async (): Promise<ReaderOutcome> => {
      if (writeMarker) await cp.markStarted();
      return runShardReader({
        api: a, shard: id, mapping: spec.UUID, sink, checkpointer: cp, start, signal: rc.signal,
        clock: c.clock, events: c.events, logger, ...(opts.pacing ? { pacing: opts.pacing } : {}),
      });
    })().catch((e: unknown): ReaderOutcome => {
      if (!controller.signal.aborted) logger.error('shard reader failed', { error: e });
      return { kind: 'stopped' };
    });
    runs.set(id, { sink, controller: rc, done: reading });
    void reading.then(async (outcome) => {
      controller.signal.removeEventListener('abort', onAbort);
      if (controller.signal.aborted) return; // stop() closes the sink and forgets the run
      if (outcome.kind !== 'finished') {
        if (outcome.kind === 'notFound') report(`${a.label} not found: ${errorText(outcome.error)}`);
        await closeSink(sink, 'drain', controller.signal);
      }
      runs.delete(id);
      // Children of a finished shard can start now; a lost shard is retried by discovery.
      if (outcome.kind === 'finished') discover();
    });
  };

  return {
    kind,
    async start(c: SourceContext): Promise<void> {
      if (started) throw new SourceError('source already started', { code: 'ALREADY_STARTED', retriable: false });
      started = true;
      ctx = c;
      if (c.signal.aborted) throw new AbortedError('source context aborted');
      const onCtxAbort = (): void => controller.abort(c.signal.reason);
      c.signal.addEventListener('abort', onCtxAbort, { once: true });
      controller.signal.addEventListener('abort', () => c.signal.removeEventListener('abort', onCtxAbort), { once: true });
      let a: StreamApi;
      try {
        a = api = connect(c);
      } catch (e) {
        controller.abort(new AbortedError('start failed'));
        throw e;
      }
      for (const cp of await c.checkpoints.list(spec.UUID)) {
        checkpointerFor(c, cp.shardId, cp);
      }
      try {
        await discoverOnce(c, a);
      } catch (e) {
        a.close();
        controller.abort(new AbortedError('start failed'));
        const notFound = a.classify(e) === 'notFound';
        throw new SourceError(`${a.label}: ${notFound ? 'not found' : 'cannot list shards'}: ${errorText(e)}`, {
          code: notFound ? 'STREAM_NOT_FOUND' : 'SOURCE_ERROR',
          retriable: !notFound,
          context: { mappingUuid: spec.UUID, source: spec.EventSourceArn },
          cause: e,
        });
      }
      armTimer(c);
    },
    stop(o: { deadlineMs?: number } = {}): Promise<void> {
      return (stopping ??= (async () => {
        cancelTimer?.();
        controller.abort(new AbortedError('source stopped'));
        const c = ctx;
        if (!c) return;
        const deadline = new AbortController();
        const cancel = c.clock.setTimer(() => deadline.abort(new AbortedError('stop deadline')), o.deadlineMs ?? opts.stopDeadlineMs ?? 30_000);
        try {
          const all = [...runs.values()];
          await Promise.race([Promise.allSettled(all.map((r) => r.done)), aborted(deadline.signal)]);
          await Promise.allSettled(all.map((r) => closeSink(r.sink, 'drain', deadline.signal)));
          runs.clear();
          await Promise.allSettled([...checkpointers.values()].map((cp) => cp.idle()));
          await discovering;
          try {
            await c.checkpoints.flush();
          } catch (e) {
            c.logger.error('checkpoint flush on stop failed', { error: e });
          }
        } finally {
          cancel();
          api?.close();
        }
      })());
    },
  };
}

/** Drains a sink within `signal`, then abandons what is left. Never throws. */
async function closeSink(sink: ShardSink, mode: 'drain', signal: AbortSignal): Promise<void> {
  try {
    await sink.close({ mode, signal });
  } catch {
    try {
      await sink.close({ mode: 'abandon' });
    } catch {
      // already closed
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * The Engine: runs every mapping (a MappingRun per enabled mapping) and keeps each mapping's
 * observed status. Operations on one mapping are serialized; different mappings are independent.
 *
 * State transitions (esm-semantics.md §8): Creating → Enabled | Disabled; Enabling → Enabled;
 * Disabling → Disabled; Updating → Enabled | Disabled; Deleting → gone. An update of a running
 * mapping stops its source (drain with the deadline) and starts a new one with the new spec; the
 * position is kept because checkpoints persist in the CheckpointStore.
 */
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { MappingUuid } from '../core/ids.js';
import type { MappingSpec, MappingState } from '../core/mapping.js';
import type { FunctionRuntime } from '../invoke/runtime.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { AwsSettings, PolledRecord, Source } from '../sources/source.js';
import type { CheckpointStore } from '../state/store.js';
import { createRecordFilter } from '../filtering/record-filter.js';
import type { Engine, MappingStatus } from './engine.js';
import type { FailureHandler } from './failure-route.js';
import { functionNotFoundProblem } from './invoker.js';
import { startMappingRun, type MappingRun } from './mapping-run.js';
import { NO_RECORDS_PROCESSED, StatusCell, userActionReason } from './mapping-status.js';
import type { ShardPipelineOptions } from './pipeline-options.js';

export interface MappingEngineDeps {
  readonly runtimes: { get(name: string): FunctionRuntime | undefined };
  readonly sourceFactory: (spec: MappingSpec) => Source;
  readonly checkpoints: CheckpointStore;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  /** Default systemClock. */
  readonly clock?: Clock;
  readonly aws: AwsSettings;
  /** The OnFailure destination of a mapping (DestinationConfig.OnFailure), or undefined (records are dropped). */
  readonly onFailureDestination?: (spec: MappingSpec) => FailureHandler | undefined;
  /**
   * FilterCriteria of a mapping as a record predicate (false = filtered out), or undefined (no
   * filter). Default: filtering/record-filter `createRecordFilter` (EventBridge-style patterns).
   */
  readonly filterFor?: (spec: MappingSpec) => ((record: PolledRecord) => boolean) | undefined;
  readonly pipelineOptions?: ShardPipelineOptions;
  /** How long an update/disable drains in-flight work before abandoning it. Default 30 000 ms. */
  readonly drainDeadlineMs?: number;
  /** Delay before the n-th retry of a source that failed to start. Default 1 s doubling, capped at 60 s. */
  readonly startBackoffMs?: (attempt: number) => number;
}

interface Entry {
  spec: MappingSpec;
  readonly cell: StatusCell;
  run: MappingRun | undefined;
  /** The spec the current run was started with. */
  runSpec: MappingSpec | undefined;
  /** Tail of the serialized operations on this mapping. */
  tail: Promise<void>;
  removing: boolean;
}

const defaultStartBackoff = (attempt: number): number => Math.min(60_000, 1_000 * 2 ** Math.min(10, attempt - 1));

/** Spec fields that change nothing at run time. */
function sameSpec(a: MappingSpec, b: MappingSpec): boolean {
  return JSON.stringify({ ...a, LastModified: 0, Enabled: true }) === JSON.stringify({ ...b, LastModified: 0, Enabled: true });
}

export function createMappingEngine(deps: MappingEngineDeps): Engine {
  const clock = deps.clock ?? systemClock;
  const drainMs = deps.drainDeadlineMs ?? 30_000;
  const entries = new Map<MappingUuid, Entry>();
  const listeners = new Set<(uuid: MappingUuid, s: MappingStatus) => void>();
  let stopping: Promise<void> | undefined;

  const notify = (uuid: MappingUuid, s: MappingStatus): void => {
    for (const fn of listeners) {
      try {
        fn(uuid, s);
      } catch (err) {
        deps.logger.warn('status listener failed', { mappingUuid: uuid, err });
      }
    }
  };

  const enqueue = (e: Entry, op: () => Promise<void>): Promise<void> => {
    const p = e.tail.then(op);
    e.tail = p.catch(() => {});
    return p;
  };

  const startRun = async (e: Entry): Promise<void> => {
    const spec = e.spec;
    if (!deps.runtimes.get(spec.FunctionName)) e.cell.setProblem(functionNotFoundProblem(spec));
    const onFailure = deps.onFailureDestination?.(spec);
    const accept = (deps.filterFor ?? createRecordFilter)(spec);
    const run = startMappingRun({
      spec,
      runtimes: deps.runtimes,
      sourceFactory: deps.sourceFactory,
      checkpoints: deps.checkpoints,
      events: deps.events,
      logger: deps.logger,
      clock,
      aws: deps.aws,
      problem: (p) => e.cell.setProblem(p),
      invoked: () => e.cell.invoked(),
      startBackoffMs: deps.startBackoffMs ?? defaultStartBackoff,
      ...(onFailure ? { onFailure } : {}),
      ...(accept ? { accept } : {}),
      ...(deps.pipelineOptions ? { pipelineOptions: deps.pipelineOptions } : {}),
    });
    e.run = run;
    e.runSpec = spec;
    await run.started;
  };

  const stopRun = async (e: Entry, deadlineMs: number): Promise<void> => {
    const run = e.run;
    e.run = undefined;
    e.runSpec = undefined;
    if (run) await run.stop(deadlineMs);
  };

  const settle = (e: Entry): void => {
    e.cell.setState(e.spec.Enabled ? 'Enabled' : 'Disabled');
  };

  return {
    apply(spec) {
      if (stopping) return Promise.reject(new Error('engine is stopped'));
      const uuid = spec.UUID;
      const reason = userActionReason(spec.sourceKind);
      let e = entries.get(uuid);
      if (!e) {
        const cell = new StatusCell(uuid, { state: 'Creating', stateTransitionReason: reason, lastProcessingResult: NO_RECORDS_PROCESSED }, notify, deps.events);
        const created: Entry = { spec, cell, run: undefined, runSpec: undefined, tail: Promise.resolve(), removing: false };
        entries.set(uuid, created);
        return enqueue(created, async () => {
          if (created.spec.Enabled) await startRun(created);
          settle(created);
        });
      }
      if (e.removing) return Promise.reject(new Error(`mapping ${uuid} is being deleted`));
      const entry = e;
      const transitional: MappingState = entry.spec.Enabled !== spec.Enabled ? (spec.Enabled ? 'Enabling' : 'Disabling') : 'Updating';
      entry.cell.setState(transitional, reason);
      entry.spec = spec;
      return enqueue(entry, async () => {
        if (entry.spec !== spec) return; // a later apply superseded this one
        const running = entry.run !== undefined;
        if (spec.Enabled && running && entry.runSpec && !sameSpec(entry.runSpec, spec)) {
          await stopRun(entry, drainMs);
          await startRun(entry);
        } else if (spec.Enabled && !running) {
          await startRun(entry);
        } else if (!spec.Enabled && running) {
          await stopRun(entry, drainMs);
        }
        settle(entry);
      });
    },

    remove(uuid) {
      const e = entries.get(uuid);
      if (!e) return Promise.resolve();
      if (!e.removing) {
        e.removing = true;
        e.cell.setState('Deleting');
      }
      return enqueue(e, async () => {
        if (!entries.has(uuid)) return;
        await stopRun(e, drainMs);
        await deps.checkpoints.deleteMapping(uuid);
        entries.delete(uuid);
      });
    },

    status(uuid) {
      return entries.get(uuid)?.cell.value;
    },

    onStatus(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    stop(deadlineMs) {
      stopping ??= (async () => {
        const ms = deadlineMs ?? drainMs;
        await Promise.allSettled(
          [...entries.values()].map((e) => enqueue(e, () => stopRun(e, ms))),
        );
        await deps.checkpoints.flush().catch((err: unknown) => deps.logger.error('checkpoint flush failed', { err }));
      })();
      return stopping;
    },
  };
}

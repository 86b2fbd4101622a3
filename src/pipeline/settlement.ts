/**
 * How finished records leave a shard. Ordered sources: a contiguous-prefix tracker and a
 * coalescing checkpoint writer (the checkpoint never passes an unfinished record). Queue sources:
 * complete (delete/ack) or release per batch. Either way the shard's capacity is given back only
 * once the source has been told.
 */
import type { Clock } from '../core/clock.js';
import type { ShardId } from '../core/ids.js';
import type { MappingSpec } from '../core/mapping.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { PolledRecord, ShardCommitter } from '../sources/source.js';
import { CheckpointTracker } from '../batching/checkpoint-tracker.js';
import type { CapacityGate } from './capacity.js';
import { Checkpointer } from './checkpointer.js';

export interface SettlementDeps {
  readonly mapping: MappingSpec;
  readonly shardId: ShardId;
  readonly committer: ShardCommitter;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly gate: CapacityGate;
  /** Abandon: stop retrying failed checkpoint writes. */
  readonly signal: AbortSignal;
  readonly backoffMs: (attempt: number) => number;
}

export interface Settlement {
  /** Ordered: these records (by sequence number) are finished; checkpoints the contiguous prefix if it grew. */
  finish(seqs: readonly number[]): void;
  /**
   * Ordered: registers a run of the shard's next records, with their running byte totals
   * (prefixBytes); returns the first one's sequence number.
   */
  registerRun(records: readonly PolledRecord[], cum: Float64Array): number;
  /** Queue: delete/ack or release these records, then give their capacity back. */
  settle(records: readonly PolledRecord[], how: 'complete' | 'release'): Promise<void>;
  /** Resolves when no checkpoint write is running or queued. */
  idle(): Promise<void>;
}

const payloadBytesOf = (r: PolledRecord): number => r.payloadBytes;

export function createSettlement(d: SettlementDeps): Settlement {
  const { mapping, shardId, committer, events, logger, gate } = d;
  const tracker = new CheckpointTracker<PolledRecord>(payloadBytesOf);
  const checkpointer = new Checkpointer({
    committer,
    clock: d.clock,
    signal: d.signal,
    backoffMs: d.backoffMs,
    onCommitted: (a) => {
      gate.release(a.count, a.weight);
      if (events.has('checkpointed')) events.emit('checkpointed', { mapping: mapping.UUID, shard: shardId, position: a.last.id });
    },
    onError: (err, attempt) => logger.warn('checkpoint failed; retrying', { shardId, attempt, err }),
  });
  return {
    registerRun: (records, cum) => tracker.addRun(records, cum),
    finish(seqs) {
      tracker.finishAll(seqs);
      const a = tracker.advance();
      if (a) checkpointer.offer(a);
    },
    async settle(records, how) {
      try {
        if (how === 'complete') {
          await committer.complete(records);
          events.emit('deleted', { mapping: mapping.UUID, shard: shardId, count: records.length });
        } else {
          await committer.release(records);
        }
      } catch (err) {
        // The source could not delete/release: the queue redelivers after the visibility timeout.
        logger.warn(`queue ${how} failed`, { shardId, count: records.length, err });
      } finally {
        let bytes = 0;
        for (const r of records) bytes += r.payloadBytes;
        gate.release(records.length, bytes);
      }
    },
    idle: () => checkpointer.idle(),
  };
}

/**
 * How a shard pipeline takes in one poll: FilterCriteria applied, the records registered with the
 * settlement (ordered sources: the checkpoint tracker) and handed to the batcher as runs —
 * without a filter the whole poll is one run (no work per record); with one, the kept records
 * form runs between the filtered-out ones, which finish at once (ordered) or are deleted (queues).
 */
import type { Clock } from '../core/clock.js';
import type { ShardId } from '../core/ids.js';
import type { MappingSpec } from '../core/mapping.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { PolledRecord } from '../sources/source.js';
import type { Batcher } from '../batching/batcher.js';
import { prefixBytes } from '../batching/payload-size.js';
import type { CapacityGate } from './capacity.js';
import type { Settlement } from './settlement.js';

export interface PollIntakeDeps {
  readonly mapping: MappingSpec;
  readonly shardId: ShardId;
  /** Ordered source (Kinesis, DynamoDB, Kafka): records are registered with the settlement. */
  readonly ordered: boolean;
  readonly batcher: Batcher;
  readonly settlement: Settlement;
  readonly gate: CapacityGate;
  readonly events: PipelineEventBus;
  readonly logger: Logger;
  readonly clock: Clock;
  /** FilterCriteria: false = filtered out. Undefined = no filter. */
  readonly accept: ((record: PolledRecord) => boolean) | undefined;
  /** Queues: filtered-out messages are deleted (tracked so close waits for it). */
  readonly completeFiltered: (records: readonly PolledRecord[]) => void;
}

/** Returns the function that takes in one poll (the caller then starts what can start). */
export function createPollIntake(d: PollIntakeDeps): (records: readonly PolledRecord[]) => void {
  const { mapping, shardId, ordered, batcher, settlement, gate, events, logger, clock } = d;
  /** Queues: acceptance order of the messages the batcher was given. */
  let queueSeq = 0;

  const whole = (records: readonly PolledRecord[], now: number): void => {
    const cum = prefixBytes(records);
    const first = ordered ? settlement.registerRun(records, cum) : queueSeq;
    if (!ordered) queueSeq += records.length;
    const bytes = batcher.addRun(records, first, now, cum);
    gate.add(records.length, bytes);
    if (events.has('polled')) events.emit('polled', { mapping: mapping.UUID, shard: shardId, count: records.length, bytes });
  };

  const filteredPoll = (records: readonly PolledRecord[], filter: (record: PolledRecord) => boolean, now: number): void => {
    const cum = prefixBytes(records);
    const first = ordered ? settlement.registerRun(records, cum) : 0;
    let filtered: PolledRecord[] | undefined;
    let filteredSeqs: number[] | undefined;
    let runStart = 0;
    const flush = (end: number): void => {
      if (end <= runStart) return;
      const run = runStart === 0 && end === records.length ? records : records.slice(runStart, end);
      batcher.addRun(run, ordered ? first + runStart : queueSeq, now, cum, runStart);
      if (!ordered) queueSeq += run.length;
    };
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      let keep = true;
      try {
        keep = filter(r);
      } catch (err) {
        logger.warn('filter failed; record kept', { shardId, id: r.id, err });
      }
      if (keep) continue;
      flush(i);
      runStart = i + 1;
      if (ordered) (filteredSeqs ??= []).push(first + i);
      (filtered ??= []).push(r);
    }
    flush(records.length);
    const bytes = cum[records.length]!;
    gate.add(records.length, bytes);
    events.emit('polled', { mapping: mapping.UUID, shard: shardId, count: records.length, bytes });
    if (filtered) {
      events.emit('filtered', { mapping: mapping.UUID, shard: shardId, count: filtered.length });
      if (filteredSeqs) settlement.finish(filteredSeqs);
      else d.completeFiltered(filtered);
    }
  };

  const filter = d.accept;
  return filter ? (records) => filteredPoll(records, filter, clock.now()) : (records) => whole(records, clock.now());
}

/**
 * A SourceContext for source tests that stands in for the pipeline: it records every pushed
 * record per shard and settles them by a policy the test chooses (checkpoint/complete at once,
 * release, or hold until the test settles them). Sources are still tested against real servers;
 * only the pipeline is replaced.
 */
import type { MappingSpec } from '../../src/core/mapping.js';
import type { ShardId } from '../../src/core/ids.js';
import { systemClock } from '../../src/core/clock.js';
import { AbortedError } from '../../src/core/errors.js';
import { PipelineEventBus } from '../../src/observability/events.js';
import { silentLogger } from '../../src/observability/logger.js';
import type {
  AwsSettings,
  EventEnvelope,
  PolledRecord,
  ShardCommitter,
  ShardSink,
  SourceContext,
} from '../../src/sources/source.js';
import type { CheckpointStore, ShardCheckpoint } from '../../src/state/store.js';
import type { MappingUuid } from '../../src/core/ids.js';

export type SettlePolicy = 'checkpoint' | 'complete' | 'release' | 'hold';

export interface FakeShard {
  readonly shardId: ShardId;
  readonly committer: ShardCommitter;
  readonly envelope: EventEnvelope;
  readonly records: PolledRecord[];
  closed: false | 'drain' | 'abandon';
  shardEnded: boolean;
  maxInFlight: number;
}

/** In-memory CheckpointStore (test double for source tests; the real stores have their own suite). */
export class MemoryCheckpoints implements CheckpointStore {
  readonly data = new Map<string, ShardCheckpoint>();
  async get(m: MappingUuid, s: ShardId): Promise<ShardCheckpoint | undefined> {
    return this.data.get(`${m}/${s}`);
  }
  async list(m: MappingUuid): Promise<readonly ShardCheckpoint[]> {
    return [...this.data.values()].filter((c) => c.mappingUuid === m);
  }
  async put(cp: ShardCheckpoint): Promise<void> {
    this.data.set(`${cp.mappingUuid}/${cp.shardId}`, cp);
  }
  async deleteMapping(m: MappingUuid): Promise<void> {
    for (const [k, v] of this.data) if (v.mappingUuid === m) this.data.delete(k);
  }
  async flush(): Promise<void> {}
}

export interface FakeContext extends SourceContext {
  readonly shards: Map<ShardId, FakeShard>;
  readonly problems: (string | null)[];
  /** Every record pushed, across shards, in push order. */
  readonly all: PolledRecord[];
  policy: SettlePolicy;
  abort(): void;
}

export function createFakeSourceContext(opts: {
  mapping: MappingSpec;
  aws: AwsSettings;
  policy?: SettlePolicy;
  checkpoints?: CheckpointStore;
  /** Max unsettled records per shard before push() waits (backpressure); default 10_000. */
  capacity?: number;
}): FakeContext {
  const ac = new AbortController();
  const shards = new Map<ShardId, FakeShard>();
  const problems: (string | null)[] = [];
  const all: PolledRecord[] = [];
  const capacity = opts.capacity ?? 10_000;
  const ctx: FakeContext = {
    mapping: opts.mapping,
    signal: ac.signal,
    clock: systemClock,
    logger: silentLogger,
    events: new PipelineEventBus(),
    checkpoints: opts.checkpoints ?? new MemoryCheckpoints(),
    aws: opts.aws,
    shards,
    problems,
    all,
    policy: opts.policy ?? 'checkpoint',
    abort: () => ac.abort(new AbortedError('fake context aborted')),
    reportProblem: (p) => {
      problems.push(p);
    },
    openShard(id: ShardId, committer: ShardCommitter, envelope: EventEnvelope): ShardSink {
      const shard: FakeShard = { shardId: id, committer, envelope, records: [], closed: false, shardEnded: false, maxInFlight: 1 };
      shards.set(id, shard);
      let pending = 0;
      let waiters: (() => void)[] = [];
      const settled = (n: number): void => {
        pending -= n;
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      };
      const sink: ShardSink = {
        shardId: id,
        get pending() {
          return pending;
        },
        async push(records, signal) {
          while (pending >= capacity) {
            if (signal?.aborted || shard.closed) throw new AbortedError('shard closed');
            await new Promise<void>((r) => waiters.push(r));
          }
          if (shard.closed) throw new AbortedError('shard closed');
          if (records.length === 0) return;
          shard.records.push(...records);
          all.push(...records);
          pending += records.length;
          const last = records[records.length - 1]!;
          switch (ctx.policy) {
            case 'checkpoint':
              await committer.checkpoint(last);
              settled(records.length);
              break;
            case 'complete':
              await committer.complete(records);
              settled(records.length);
              break;
            case 'release':
              await committer.release(records);
              settled(records.length);
              break;
            case 'hold':
              break;
          }
        },
        setMaxInFlight(n) {
          shard.maxInFlight = n;
        },
        async drained() {
          while (pending > 0) await new Promise<void>((r) => waiters.push(r));
        },
        async close(how) {
          shard.closed = how.mode;
          shard.shardEnded = how.shardEnded ?? false;
          const w = waiters;
          waiters = [];
          for (const f of w) f();
        },
      };
      return sink;
    },
  };
  return ctx;
}

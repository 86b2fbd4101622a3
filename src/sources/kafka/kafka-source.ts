/**
 * The Kafka source (self-managed and MSK-style) on kafkajs: one consumer group per mapping, one
 * shard per assigned topic-partition.
 *
 * Each kafkajs batch is pushed to its partition's shard (push waits while the shard's bounded
 * buffer is full: that is the backpressure), its offsets are resolved in kafkajs's memory only
 * (autoCommit off) and the handler returns, so kafkajs fetches the next records while earlier
 * ones are invoked. A partition that is caught up (offset lag 0) holds its handler, heartbeating,
 * until its records finished, as there is nothing to read ahead. Offsets are committed only from
 * ShardCommitter.checkpoint (offset + 1). Shards live for one group generation; how they end on a
 * rebalance (drained within the revoke deadline, or abandoned uncommitted) is partition-shards.ts.
 * A crashed consumer (kafkajs 'consumer.crash', e.g. a non-retriable group error) is rebuilt with
 * backoff; its shards are closed first.
 */
import { Kafka, logLevel as KafkaLogLevel, type Consumer, type ConsumerConfig, type EachBatchPayload, type LogEntry } from 'kafkajs';
import type { MappingSpec } from '../../core/mapping.js';
import { SourceError } from '../../core/errors.js';
import { delay, systemClock } from '../../core/clock.js';
import type { Source, SourceContext } from '../source.js';
import { resolveKafkaConnection, type KafkaConnection } from './connection.js';
import { kafkaPolledRecords } from './event.js';
import { PartitionShard } from './partition-shard.js';
import { createStartPositioner } from './start-position.js';
import { withHeartbeats } from './heartbeats.js';
import { PartitionShards } from './partition-shards.js';
import { isStoppedRunnerFetch, StoppedFetchLoopBreak } from './stopped-fetch-loop.js';

export { isStoppedRunnerFetch } from './stopped-fetch-loop.js';

export interface KafkaSourceOptions {
  /** kafkajs consumer settings to override (tests pass the mock-cluster settings). */
  readonly consumer?: Partial<
    Pick<ConsumerConfig, 'sessionTimeout' | 'heartbeatInterval' | 'rebalanceTimeout' | 'maxWaitTimeInMs' | 'partitionAssigners' | 'maxBytesPerPartition' | 'minBytes' | 'maxBytes'>
  >;
  /** Force TLS on/off (default: on when SASL or certificates are configured). */
  readonly tls?: boolean;
  /** Where secrets are read from (default process.env); see connection.ts. */
  readonly env?: NodeJS.ProcessEnv;
  /** Partitions processed at once by one consumer. Default 16. */
  readonly partitionsConsumedConcurrently?: number;
  /** Time a revoked partition's records get to finish before the shard is abandoned. Default 10 000 ms. */
  readonly revokeDeadlineMs?: number;
  /** Consumer rebuild backoff after a crash, doubling. Default 500..30 000 ms. */
  readonly rebuildBackoffMs?: { readonly min: number; readonly max: number };
  /** Drain deadline for stop() when the caller gives none. Default 30 000 ms. */
  readonly stopDeadlineMs?: number;
}

/** A Kafka Source plus what tests and the console want to see. */
export interface KafkaSource extends Source {
  /** Partitions (`topic-partition`) assigned to this instance by the latest group join. */
  readonly assigned: ReadonlySet<string>;
  /** Consumers built so far (1 + rebuilds after crashes). */
  readonly generations: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'warn', // kafkajs logs recoverable trouble as ERROR; sluice decides what is an error
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'debug',
  [KafkaLogLevel.DEBUG]: 'debug',
};

export function createKafkaSource(spec: MappingSpec, opts: KafkaSourceOptions = {}): KafkaSource {
  const stopAc = new AbortController();
  /** The current consumer's shards (each consumer built gets its own set). */
  let shards = new PartitionShards({ seek: () => undefined });
  const assigned = new Set<string>();
  const revokeMs = opts.revokeDeadlineMs ?? 10_000;
  const backoff = opts.rebuildBackoffMs ?? { min: 500, max: 30_000 };
  let ctx: SourceContext | undefined;
  let conn: KafkaConnection | undefined;
  let kafka: Kafka | undefined;
  let consumer: Consumer | undefined;
  /** The newest consumer object, set before it connects (stop() must reach one still joining). */
  let latest: Consumer | undefined;
  let generations = 0;
  let crashes = 0;
  let rebuilding: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  /** Set first thing in stop(): no new batches, no rebuilds; stopAc aborts only after the drain. */
  let stopRequested = false;

  const buildConsumer = async (c: SourceContext, k: Kafka, cn: KafkaConnection): Promise<Consumer> => {
    generations++;
    const cons = k.consumer({
      groupId: cn.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      ...opts.consumer,
      allowAutoTopicCreation: false,
      retry: { retries: 5, restartOnFailure: async () => false }, // sluice rebuilds crashed consumers itself
    });
    latest = cons;
    const set = new PartitionShards({
      seek: (topic, partition, offset) => {
        try {
          cons.seek({ topic, partition, offset: offset.toString() });
        } catch (err) {
          c.logger.warn('Kafka seek back to the first unfinished offset failed', { mappingUuid: spec.UUID, topic, partition, err });
        }
      },
    });
    shards = set;
    const heartbeatMs = opts.consumer?.heartbeatInterval ?? 3_000;
    const positioner = createStartPositioner({ spec, kafka: k, groupId: cn.groupId, topic: cn.topic });
    cons.on(cons.events.GROUP_JOIN, (e) => {
      crashes = 0;
      const now = new Set((e.payload.memberAssignment[cn.topic] ?? []).map((p) => `${cn.topic}-${p}`));
      assigned.clear();
      for (const a of now) assigned.add(a);
      // kafkajs restarts every partition from its committed offset after a join: shards of the
      // previous generation that no handler drained (a join kafkajs announced no other way) end here.
      set.abandonAll();
      c.reportProblem(null);
    });
    // Sent right before kafkajs's JoinGroup, after its handlers returned: shards not drained by a
    // handler that saw the rebalance stop committing now (see partition-shards.ts).
    cons.on(cons.events.REBALANCING, () => set.abandonAll());
    cons.on(cons.events.CRASH, (e) => {
      if (stopRequested) return;
      const err = e.payload.error;
      c.logger.warn('Kafka consumer crashed; rebuilding', { mappingUuid: spec.UUID, err });
      c.reportProblem(`Kafka consumer failed: ${err.name}: ${err.message}`);
      void rebuild(c, k, cn);
    });

    const eachBatch = async ({ batch, heartbeat, resolveOffset, isRunning, isStale, pause }: EachBatchPayload): Promise<void> => {
      if (stopRequested) {
        pause(); // no refetch loop while stopping
        return;
      }
      if (batch.isEmpty() || !isRunning() || isStale()) return;
      if (set.revoking) {
        // A revoke is draining: this batch is read again from where the revoke leaves the partition.
        await set.revoking;
        return;
      }
      const key = `${batch.topic}-${batch.partition}`;
      if (await positioner.seekIfNeeded(cons, batch)) return; // AT_TIMESTAMP: position first
      let shard = set.get(key);
      if (!shard) {
        shard = new PartitionShard({
          ctx: c,
          topic: batch.topic,
          partition: batch.partition,
          source: cn.source,
          commit: (offset) => cons.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: offset.toString() }]),
        });
        set.add(shard);
      }
      const s = shard;
      const records = kafkaPolledRecords(key, batch.topic, batch.partition, batch.messages);
      try {
        await withHeartbeats(s.sink.push(records, stopAc.signal), heartbeat, heartbeatMs, c.clock);
        s.pushed(records[0]!.ref as bigint, records[records.length - 1]!.ref as bigint);
        resolveOffset(batch.lastOffset());
        const lag = batch.offsetLag();
        if (c.events.has('offsetLag')) c.events.emit('offsetLag', { mapping: spec.UUID, shard: s.sink.shardId, lag: Number(lag) });
        if (lag === '0') {
          // Caught up: nothing to read ahead, so hold the partition until its records finished
          // (a rebalance seen meanwhile then drains the shards before kafkajs rejoins).
          await withHeartbeats(Promise.race([s.sink.drained(stopAc.signal), s.whenClosed()]), heartbeat, heartbeatMs, c.clock);
        } else {
          await heartbeat(); // a rebalance seen here, inside a handler, drains before the rejoin
        }
      } catch (err) {
        if (stopRequested) {
          await set.close(s, 0); // stop() drains the shards with its own deadline
          return;
        }
        if (set.get(key) !== s) {
          // The shard was ended by a revoke or a join: its records are read again from the
          // position that left; nothing of this batch was resolved past it.
          await set.revoking;
          return;
        }
        // The group failed under this handler (heartbeat error): kafkajs rejoins only after it
        // returns, so every shard gets the revoke deadline to finish and commit first.
        await set.revoke(revokeMs);
        throw err;
      }
    };

    await cons.connect();
    await cons.subscribe({ topics: [cn.topic], fromBeginning: spec.StartingPosition !== 'LATEST' });
    await cons.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 16,
      eachBatch,
    });
    return cons;
  };

  const rebuild = (c: SourceContext, k: Kafka, cn: KafkaConnection): Promise<void> =>
    (rebuilding ??= (async () => {
      try {
        await shards.closeAll(0);
        assigned.clear();
        const old = consumer;
        consumer = undefined;
        await old?.disconnect().catch(() => undefined);
        while (!stopRequested) {
          crashes++;
          try {
            await delay(Math.min(backoff.max, backoff.min * 2 ** (crashes - 1)), stopAc.signal, c.clock);
          } catch {
            return;
          }
          try {
            consumer = await buildConsumer(c, k, cn);
            if (stopRequested) await consumer.disconnect().catch(() => undefined);
            return;
          } catch (err) {
            c.logger.warn('Kafka consumer rebuild failed; retrying', { mappingUuid: spec.UUID, err, attempt: crashes });
          }
        }
      } finally {
        rebuilding = undefined;
      }
    })());

  const start = async (c: SourceContext): Promise<void> => {
    if (ctx) throw new SourceError('Kafka source already started', { retriable: false, context: { mappingUuid: spec.UUID } });
    ctx = c;
    const cn = resolveKafkaConnection(spec, c.aws, { tls: opts.tls, env: opts.env });
    conn = cn;
    const log = c.logger.child({ mappingUuid: spec.UUID, component: 'kafkajs' });
    kafka = new Kafka({
      clientId: `sluice-${spec.UUID}`,
      brokers: [...cn.brokers],
      ssl: cn.ssl,
      ...(cn.sasl ? { sasl: cn.sasl } : {}),
      logLevel: KafkaLogLevel.WARN,
      logCreator:
        () =>
        ({ namespace, level, log: entry }: LogEntry) => {
          if (stopRequested && isStoppedRunnerFetch(namespace, level, entry.message)) throw new StoppedFetchLoopBreak();
          const { message, ...rest } = entry;
          log[LEVELS[level] ?? 'debug'](message, rest);
        },
    });
    try {
      consumer = await buildConsumer(c, kafka, cn);
    } catch (err) {
      const e = err as Error;
      c.reportProblem(`Unable to connect to Kafka ${cn.source.bootstrapServers}: ${e.message}`);
      throw new SourceError(`cannot start Kafka consumer for ${cn.topic}: ${e.message}`, {
        code: 'KAFKA_CONNECT_FAILED',
        context: { mappingUuid: spec.UUID, source: cn.source.bootstrapServers },
        cause: err,
      });
    }
    c.signal.addEventListener('abort', () => void stop(), { once: true });
  };

  const stop = (o: { deadlineMs?: number } = {}): Promise<void> =>
    (stopping ??= (async () => {
      stopRequested = true;
      const deadline = o.deadlineMs ?? opts.stopDeadlineMs ?? 30_000;
      // Shards first: handlers holding partitions are released as their shards drain or are abandoned.
      const closing = shards.closeAll(deadline);
      stopAc.abort();
      await closing;
      // A consumer being (re)built may sit in a group join for a long time: disconnect whatever
      // exists, and never let kafkajs hold stop() past the deadline plus 10 s.
      // kafkajs 2.2.4 can spin forever inside consumer.stop() (see isStoppedRunnerFetch): from
      // here on its Runner's debug log reaches logCreator, which breaks that loop.
      kafka?.logger().setLogLevel(KafkaLogLevel.DEBUG);
      const targets = new Set([consumer, latest].filter((x): x is Consumer => x !== undefined));
      consumer = undefined;
      let cancel: (() => void) | undefined;
      const late = new Promise<'late'>((resolve) => {
        cancel = (ctx?.clock ?? systemClock).setTimer(() => resolve('late'), deadline + 10_000);
      });
      const done = Promise.allSettled([rebuilding, ...[...targets].map((c) => c.disconnect())]).then(() => 'done' as const);
      const how = await Promise.race([done, late]);
      cancel?.();
      if (how === 'late') ctx?.logger.warn('Kafka consumer did not leave the group in time', { mappingUuid: spec.UUID });
      await shards.closeAll(0);
    })());

  return {
    kind: 'kafka',
    start,
    stop,
    get assigned() {
      return assigned;
    },
    get generations() {
      return generations;
    },
  };
}

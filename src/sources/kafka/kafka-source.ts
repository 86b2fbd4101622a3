/**
 * The Kafka source (self-managed and MSK-style) on kafkajs: one consumer group per mapping, one
 * shard per assigned topic-partition.
 *
 * Each kafkajs batch is pushed to its partition's shard and the eachBatch handler then holds,
 * heartbeating, until the shard has finished (checkpointed) every pushed record. kafkajs waits for
 * running handlers before it rejoins the group, so a partition is only given up after its records
 * finished and were committed — or, past the revoke deadline, after the shard was abandoned with
 * nothing more committed. Offsets are committed only from ShardCommitter.checkpoint (offset + 1).
 * A crashed consumer (kafkajs 'consumer.crash', e.g. a non-retriable group error) is rebuilt with
 * backoff; its shards are closed first.
 */
import { Kafka, logLevel as KafkaLogLevel, type Consumer, type ConsumerConfig, type EachBatchPayload, type LogEntry } from 'kafkajs';
import type { MappingSpec } from '../../core/mapping.js';
import { SourceError } from '../../core/errors.js';
import { delay, systemClock } from '../../core/clock.js';
import type { Source, SourceContext } from '../source.js';
import { resolveKafkaConnection, type KafkaConnection } from './connection.js';
import { kafkaPolledRecord } from './event.js';
import { PartitionShard } from './partition-shard.js';
import { createStartPositioner } from './start-position.js';
import { withHeartbeats } from './heartbeats.js';

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

/**
 * kafkajs 2.2.4 bug worked around here. When the broker set changes (a broker connection closed,
 * metadata refreshed) its FetchManager stops its fetchers and creates new ones; if
 * `consumer.stop()` lands while it waits for the old fetchers to end, the new fetchers run after
 * the Runner stopped, and `Runner.fetch` then returns `[]` without any I/O or timer, so the
 * fetcher loop spins on microtasks forever: the event loop is blocked and stop() never returns.
 * Each turn of that loop logs `consumer not running, exiting` at DEBUG in namespace `Runner`,
 * the only call out of it sluice can reach: once stop() has enabled DEBUG, the log function
 * throws there, the fetcher ends with that error and the Runner finishes its stop normally.
 * (If KAFKAJS_LOG_LEVEL is set in the environment it pins the Runner's level and disables this.)
 */
export function isStoppedRunnerFetch(namespace: string, level: number, message: string): boolean {
  return namespace === 'Runner' && level === KafkaLogLevel.DEBUG && message === 'consumer not running, exiting';
}

/** Thrown into kafkajs's stopped fetch loop to end it (see isStoppedRunnerFetch). */
class StoppedFetchLoopBreak extends Error {
  override readonly name = 'SluiceStoppedFetchLoopBreak';
  constructor() {
    super('sluice: Kafka consumer stopping; ending the fetch loop');
  }
}

export function createKafkaSource(spec: MappingSpec, opts: KafkaSourceOptions = {}): KafkaSource {
  const stopAc = new AbortController();
  const shards = new Map<string, PartitionShard>();
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

  const closeShard = (s: PartitionShard, deadlineMs: number): Promise<void> => {
    if (shards.get(s.key) === s) shards.delete(s.key);
    return s.close(deadlineMs);
  };

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
    const heartbeatMs = opts.consumer?.heartbeatInterval ?? 3_000;
    const positioner = createStartPositioner({ spec, kafka: k, groupId: cn.groupId, topic: cn.topic });
    cons.on(cons.events.GROUP_JOIN, (e) => {
      crashes = 0;
      const now = new Set((e.payload.memberAssignment[cn.topic] ?? []).map((p) => `${cn.topic}-${p}`));
      assigned.clear();
      for (const a of now) assigned.add(a);
      for (const s of [...shards.values()]) if (!now.has(s.key)) void closeShard(s, revokeMs);
      c.reportProblem(null);
    });
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
      const key = `${batch.topic}-${batch.partition}`;
      if (await positioner.seekIfNeeded(cons, batch)) return; // AT_TIMESTAMP: position first
      let shard = shards.get(key);
      if (!shard) {
        shard = new PartitionShard({
          ctx: c,
          topic: batch.topic,
          partition: batch.partition,
          source: cn.source,
          commit: (offset) => cons.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: offset.toString() }]),
        });
        shards.set(key, shard);
      }
      const s = shard;
      const records = batch.messages.map((m) => kafkaPolledRecord(key, batch.topic, batch.partition, m));
      try {
        await withHeartbeats(s.sink.push(records, stopAc.signal), heartbeat, heartbeatMs, c.clock);
        resolveOffset(batch.lastOffset());
        if (c.events.has('offsetLag')) {
          c.events.emit('offsetLag', { mapping: spec.UUID, shard: s.sink.shardId, lag: Number(batch.offsetLag()) });
        }
        // Hold the partition until its records finished (or the shard was closed).
        await withHeartbeats(Promise.race([s.sink.drained(stopAc.signal), s.whenClosed()]), heartbeat, heartbeatMs, c.clock);
      } catch (err) {
        // Rebalance, crash or stop while holding: let in-flight work finish within the deadline,
        // then give the partition up uncommitted beyond what finished.
        await closeShard(s, stopRequested ? 0 : revokeMs);
        if (stopRequested) return;
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
        await Promise.allSettled([...shards.values()].map((s) => closeShard(s, 0)));
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
      const closing = Promise.allSettled([...shards.values()].map((s) => closeShard(s, deadline)));
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
      await Promise.allSettled([...shards.values()].map((s) => closeShard(s, 0)));
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

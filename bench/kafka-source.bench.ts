/**
 * Kafka source throughput on librdkafka's mock cluster: a pre-filled 3-partition topic (60k × 100 B)
 * read by sluice end to end — createKafkaSource feeding real shard pipelines through
 * startMappingRun (what the daemon runs), memory checkpoints, and an in-process no-op handler that
 * only counts the records of each Kafka event — versus a plain kafkajs eachBatch consumer that does
 * nothing (auto-commit on). Both use the same fetch settings (the mock-cluster consumer settings);
 * neither side's time includes the group join.
 *
 * sluice: from the first record pushed to a shard until the handler has seen all N records
 * (`sluiceRecordsPerSec`); separately, until the last offset of every partition is committed to
 * Kafka (`sluiceCommittedRecordsPerSec`). Ceiling: from the first eachBatch call to the last.
 * BatchSize 100 divides the per-partition count (20 000), so every batch fills up and none waits
 * for Kafka's default 500 ms batching window (MaximumBatchingWindowInSeconds is left at Kafka's
 * default, as a mapping created without it would be). Batch latency: from the push of the batch's
 * first record to the handler call, p50/p99 over the median round.
 *
 * Fixed counts; alternating rounds (ceiling, sluice; 7, or KAFKA_BENCH_ROUNDS), medians reported:
 * one read takes well under a second and the mock cluster's fetch timing swings the ceiling
 * between ~150k and ~700k rec/s from round to round, so three rounds left the ratio at chance.
 * One JSON line.
 */
import { systemClock } from '../src/core/clock.js';
import type { MappingSpec } from '../src/core/mapping.js';
import { createInProcessRuntime } from '../src/invoke/in-process-runtime.js';
import { PipelineEventBus } from '../src/observability/events.js';
import { silentLogger } from '../src/observability/logger.js';
import { startMappingRun } from '../src/pipeline/mapping-run.js';
import { createKafkaSource } from '../src/sources/kafka/kafka-source.js';
import type { PolledRecord, ShardSink, Source, SourceContext } from '../src/sources/source.js';
import { MemoryCheckpoints } from '../test/support/fake-source-context.js';
import { startKafkaMock, produce, testKafka, mockConsumerSettings } from '../test/support/kafka.js';
import { uniqueName } from '../test/support/names.js';
import { AWS, kafkaMapping, MOCK_OPTS } from '../test/sources/kafka/helpers.js';
import { median, percentile } from './support/stats.js';

const ROUNDS = Number(process.env.KAFKA_BENCH_ROUNDS ?? 7);

const N = Number(process.env.KAFKA_BENCH_MESSAGES ?? 60_000);
const PARTITIONS = 3;
const PER_PARTITION = N / PARTITIONS;
const BATCH_SIZE = 100;
if (!Number.isInteger(PER_PARTITION) || PER_PARTITION % BATCH_SIZE !== 0) {
  throw new Error(`KAFKA_BENCH_MESSAGES must be a multiple of ${PARTITIONS * BATCH_SIZE} (full batches only)`);
}
const VALUE = 'v'.repeat(100);

async function until(cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

interface KafkaEvent {
  readonly records: Record<string, readonly { readonly offset: number }[]>;
}

interface SluiceRound {
  readonly rps: number;
  /** Process CPU time (user + system, all threads) over the measured interval, µs per record. */
  readonly cpuUsPerRecord: number;
  readonly committedRps: number;
  readonly latencies: number[];
}

const topic = uniqueName('bench');
const mock = await startKafkaMock({ brokers: 3, topics: [{ name: topic, partitions: PARTITIONS }] });
try {
  await produce(
    mock.brokers,
    topic,
    Array.from({ length: N }, (_, i) => ({ partition: i % PARTITIONS, key: `k${i}`, value: VALUE })),
    3000,
  );

  const runSluice = async (): Promise<SluiceRound> => {
    const spec: MappingSpec = kafkaMapping(mock.brokers, topic, {
      BatchSize: BATCH_SIZE,
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: uniqueName('g') },
    });
    let first = 0;
    let cpu0: NodeJS.CpuUsage | undefined;
    let cpu: NodeJS.CpuUsage | undefined;
    let seen = 0;
    let allSeen = 0;
    let committedParts = 0;
    let allCommitted = 0;
    // Per partition key: push times and the first offset of each push (one entry per kafkajs batch).
    const pushTimes = new Map<string, { offsets: number[]; times: number[] }>();
    const latencies: number[] = [];
    const handler = (event: KafkaEvent): null => {
      const now = performance.now();
      for (const key in event.records) {
        const rs = event.records[key]!;
        seen += rs.length;
        const p = pushTimes.get(key);
        if (p && rs.length > 0) {
          // The push that carried the batch's first record: the last push starting at or before it.
          const off = rs[0]!.offset;
          let lo = 0;
          let hi = p.offsets.length - 1;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (p.offsets[mid]! <= off) lo = mid;
            else hi = mid - 1;
          }
          latencies.push(now - p.times[lo]!);
        }
      }
      if (seen >= N && allSeen === 0) {
        allSeen = now;
        cpu = process.cpuUsage(cpu0);
      }
      return null;
    };
    const runtime = createInProcessRuntime(spec.FunctionName, handler);
    // The real source, with its context's openShard observed: push times, and the commit of each
    // partition's last offset. The sinks and committers are the pipeline's own; only wrapped.
    const observed = (inner: Source): Source => ({
      kind: inner.kind,
      stop: (o) => inner.stop(o),
      start: (ctx: SourceContext) =>
        inner.start({
          ...ctx,
          openShard(id, committer, envelope) {
            const key = String(id);
            const times = { offsets: [] as number[], times: [] as number[] };
            pushTimes.set(key, times);
            const sink = ctx.openShard(
              id,
              {
                checkpoint: async (last: PolledRecord) => {
                  await committer.checkpoint(last);
                  if (Number(last.id) === PER_PARTITION - 1 && ++committedParts === PARTITIONS) allCommitted = performance.now();
                },
                complete: (rs) => committer.complete(rs),
                release: (rs) => committer.release(rs),
              },
              envelope,
            );
            const wrapped: ShardSink = {
              shardId: sink.shardId,
              get pending() {
                return sink.pending;
              },
              push(records, signal) {
                const t = performance.now();
                if (first === 0) {
                  first = t;
                  cpu0 = process.cpuUsage();
                }
                if (records.length > 0) {
                  times.offsets.push(Number(records[0]!.id));
                  times.times.push(t);
                }
                return sink.push(records, signal);
              },
              setMaxInFlight: (n) => sink.setMaxInFlight(n),
              drained: (signal) => sink.drained(signal),
              close: (how) => sink.close(how),
            };
            return wrapped;
          },
        }),
    });
    const run = startMappingRun({
      spec,
      runtimes: { get: () => runtime },
      sourceFactory: (s) => observed(createKafkaSource(s, MOCK_OPTS)),
      checkpoints: new MemoryCheckpoints(),
      events: new PipelineEventBus(),
      logger: silentLogger,
      clock: systemClock,
      aws: AWS,
      problem: () => {},
      invoked: () => {},
      startBackoffMs: () => 200,
    });
    try {
      await run.started;
      await until(() => allSeen > 0 && allCommitted > 0);
    } finally {
      await run.stop(1000);
      await runtime.close();
    }
    if (seen !== N) throw new Error(`handler saw ${seen} records, expected ${N}`);
    return {
      rps: N / ((allSeen - first) / 1000),
      cpuUsPerRecord: (cpu!.user + cpu!.system) / N,
      committedRps: N / ((allCommitted - first) / 1000),
      latencies,
    };
  };

  const runPlain = async (): Promise<{ rps: number; cpuUsPerRecord: number }> => {
    const consumer = testKafka(mock.brokers).consumer({ groupId: uniqueName('g'), ...mockConsumerSettings });
    let n = 0;
    let first = 0;
    let last = 0;
    let cpu0: NodeJS.CpuUsage | undefined;
    let cpu: NodeJS.CpuUsage | undefined;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (first === 0) {
          first = performance.now();
          cpu0 = process.cpuUsage();
        }
        n += batch.messages.length;
        last = performance.now();
        if (n >= N && !cpu) cpu = process.cpuUsage(cpu0);
      },
    });
    await until(() => n >= N);
    await consumer.disconnect();
    return { rps: N / ((last - first) / 1000), cpuUsPerRecord: (cpu!.user + cpu!.system) / N };
  };

  // Alternate the rounds (see the header) and report the medians.
  const plainRuns: { rps: number; cpuUsPerRecord: number }[] = [];
  const sluiceRuns: SluiceRound[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    plainRuns.push(await runPlain());
    sluiceRuns.push(await runSluice());
  }
  const mid = [...sluiceRuns].sort((a, b) => a.rps - b.rps)[Math.floor(sluiceRuns.length / 2)]!;
  const sluice = median(sluiceRuns.map((r) => r.rps));
  const committed = median(sluiceRuns.map((r) => r.committedRps));
  const plain = median(plainRuns.map((r) => r.rps));
  const sluiceCpu = median(sluiceRuns.map((r) => r.cpuUsPerRecord));
  const plainCpu = median(plainRuns.map((r) => r.cpuUsPerRecord));
  const lat = mid.latencies.sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      bench: 'kafka-source',
      messages: N,
      partitions: PARTITIONS,
      batchSize: BATCH_SIZE,
      handler: 'in-process no-op (counts records)',
      sluiceRecordsPerSec: Math.round(sluice),
      sluiceCommittedRecordsPerSec: Math.round(committed),
      kafkajsEachBatchRecordsPerSec: Math.round(plain),
      ratio: Number((sluice / plain).toFixed(3)),
      committedRatio: Number((committed / plain).toFixed(3)),
      // CPU is less sensitive than wall time to other load on the machine and to the mock's fetch timing.
      sluiceCpuUsPerRecord: Number(sluiceCpu.toFixed(2)),
      kafkajsCpuUsPerRecord: Number(plainCpu.toFixed(2)),
      cpuRatio: Number((plainCpu / sluiceCpu).toFixed(3)),
      p50BatchLatencyMs: Number(percentile(lat, 50).toFixed(2)),
      p99BatchLatencyMs: Number(percentile(lat, 99).toFixed(2)),
      sluiceRuns: sluiceRuns.map((r) => Math.round(r.rps)),
      sluiceCommittedRuns: sluiceRuns.map((r) => Math.round(r.committedRps)),
      kafkajsRuns: plainRuns.map((r) => Math.round(r.rps)),
    }) + '\n',
  );
} finally {
  await mock.close();
}

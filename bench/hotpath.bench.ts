/**
 * Hot path of the shard pipeline: an in-memory source feeding the real shard pipeline (buffer,
 * batcher, key locks, checkpoint tracker, failure plan, events) over 4 shards with ~1 KB
 * Kinesis-shaped records, invoking an in-process no-op FunctionRuntime that serializes the event
 * (as every real runtime must) and returns success. The ceiling is a plain loop that only builds
 * and serializes the same events (same records in the same batch sizes sluice sent).
 * ratio = sluice / ceiling (records/s).
 * Batch latency: from the push of a batch's first record to the end of its invoke.
 * Fixed seed and record counts; after 5 warm-up runs of each side, sluice and ceiling rounds
 * alternate and each figure is the median of 5 rounds. Prints one JSON line.
 *
 * Why 5 warm-up runs: a run at BatchSize 100 is 800 batches, and V8 optimizes the pipeline's
 * per-batch functions only once they have run often enough — seen with --trace-opt, functions
 * such as the batch selection, the invoker and the checkpointer were still being compiled in the
 * 2nd to 6th runs, which were up to 4x slower in the pipeline. A daemon runs them millions of
 * times, so the measured rounds start once the compiler has settled.
 *
 * A full GC is forced once per case, before its warm-up (a case's garbage does not land in the
 * next case's rounds), not before every round: a full GC while no batch is in flight drops hidden
 * classes V8 holds only weakly, and the code that uses them is deoptimized (seen with
 * --trace-deopt after every forced GC: the claimed-batch class, and the pipeline-only time of the
 * next round alternated between ~6 and 10-15 ms instead of a steady ~6). A loaded daemon always
 * has batches in flight. The sides alternate, so collection work one side leaves behind is as
 * likely to land in the other's round. Each round's shard pipelines are also kept referenced until
 * the next round has run, as a daemon's pipelines live for hours (if every instance of the
 * pipeline's classes died at once, a GC would drop V8's type feedback for them too).
 */
import { systemClock } from '../src/core/clock.js';
import { recordId, shardId } from '../src/core/ids.js';
import { mappingUuid } from '../src/core/ids.js';
import type { MappingSpec } from '../src/core/mapping.js';
import type { FunctionRuntime, InvokeResult } from '../src/invoke/runtime.js';
import { PipelineEventBus } from '../src/observability/events.js';
import { silentLogger } from '../src/observability/logger.js';
import { createShardPipeline } from '../src/pipeline/shard-pipeline.js';
import type { PolledRecord, ShardCommitter } from '../src/sources/source.js';
import { jsonByteLength } from '../src/batching/payload-size.js';
import { recordsEnvelope as envelope } from '../src/sources/records-envelope.js';
import { rng } from './support/rng.js';
import { median, percentile } from './support/stats.js';

const SHARDS = 4;
const POLL_CHUNK = 500; // records per push, like one GetRecords response
const KEYS = 1000;
/** Optional filters for profiling one case: HOTPATH_BATCH_SIZES=100 HOTPATH_PFS=1 (comma lists). */
const only = (name: string): number[] | undefined => process.env[name]?.split(',').map(Number);
const onlySizes = only('HOTPATH_BATCH_SIZES');
const CASES: readonly { batchSize: number; records: number }[] = [
  { batchSize: 1, records: 16_000 },
  { batchSize: 100, records: 80_000 },
  { batchSize: 1000, records: 80_000 },
  { batchSize: 10_000, records: 80_000 },
].filter((c) => onlySizes === undefined || onlySizes.includes(c.batchSize));
const PFS = only('HOTPATH_PFS') ?? [1, 10];
/** Each measurement is repeated; the median run is reported (the machine is shared). */
const ROUNDS = Number(process.env.HOTPATH_ROUNDS ?? 5);
/** Discarded runs of each side before the measured rounds (see the header). */
const WARMUP = Number(process.env.HOTPATH_WARMUP ?? 5);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Each record event's index in its shard (the bench's latency bookkeeping). */
const indexOfEvent = new Map<object, number>();

/** Per shard, `perShard` records of ~1 KB (event JSON), measured once like a source does. */
function buildShards(perShard: number): PolledRecord[][] {
  indexOfEvent.clear();
  const rand = rng(42);
  const shards: PolledRecord[][] = [];
  for (let s = 0; s < SHARDS; s++) {
    const shard = `shardId-00000000000${s}`;
    const list: PolledRecord[] = new Array(perShard);
    for (let i = 0; i < perShard; i++) {
      const data = Buffer.alloc(560);
      for (let j = 0; j < data.length; j += 4) data.writeUInt32LE(Math.floor(rand() * 0xffffffff), j);
      const seq = `4959${String(i).padStart(52, '0')}`;
      const partitionKey = `pk-${Math.floor(rand() * KEYS)}`;
      const event = {
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey, sequenceNumber: seq, data: data.toString('base64'), approximateArrivalTimestamp: 1700000000.123 },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shard}:${seq}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/sluice',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/bench',
      };
      list[i] = { id: recordId(seq), partitionKey, arrivalMs: 1_700_000_000_123, payloadBytes: jsonByteLength(event), event };
      indexOfEvent.set(event, i);
    }
    shards.push(list);
  }
  return shards;
}

function mapping(batchSize: number, pf: number): MappingSpec {
  return Object.freeze({
    UUID: mappingUuid('00000000-0000-4000-8000-000000000001'),
    FunctionName: 'noop',
    FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:noop',
    EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/bench',
    sourceKind: 'kinesis',
    fifo: false,
    BatchSize: batchSize,
    MaximumBatchingWindowInSeconds: 0,
    batchingWindowMs: 0,
    ParallelizationFactor: pf,
    StartingPosition: 'TRIM_HORIZON',
    MaximumRecordAgeInSeconds: -1,
    MaximumRetryAttempts: -1,
    BisectBatchOnFunctionError: false,
    TumblingWindowInSeconds: 0,
    FunctionResponseTypes: [],
    Enabled: true,
    configManaged: false,
    LastModified: 0,
  });
}

interface SluiceRun {
  seconds: number;
  batches: number;
  latencies: number[];
  /** Per shard, the sizes of the batches sluice sent, in invoke order. */
  sizes: number[][];
  /**
   * ParallelizationFactor > 1 only: per shard, each batch's Records array as sent (its records
   * are not a contiguous run of the shard then, so sizes alone do not say which records).
   */
  sent: object[][][] | undefined;
}

/** The previous round's pipelines (see the header). */
let previousRound: unknown[] = [];

async function runSluice(shards: PolledRecord[][], batchSize: number, pf: number): Promise<SluiceRun> {
  const round: unknown[] = [];
  const sizes: number[][] = shards.map(() => []);
  const sent: object[][][] | undefined = pf > 1 ? shards.map(() => []) : undefined;
  // Push time per poll chunk, per shard (instrumentation kept off the per-record path).
  const pushedAt: number[][] = shards.map(() => []);
  const latencies: number[] = [];
  // One no-op runtime per shard, so the instrumentation finds a batch's shard without parsing
  // its records; a batch's poll chunk comes from its first record's index (a Map lookup).
  const noop = (shard: number): FunctionRuntime => ({
    name: 'noop',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:noop',
    async invoke(event): Promise<InvokeResult> {
      const body = JSON.stringify(event);
      const recs = (event as { Records: object[] }).Records;
      sizes[shard]!.push(recs.length);
      sent?.[shard]!.push(recs);
      const first = recs[0];
      const t = first === undefined ? undefined : pushedAt[shard]![Math.floor(indexOfEvent.get(first)! / POLL_CHUNK)];
      if (t !== undefined) latencies.push(performance.now() - t);
      return { kind: 'success', payload: body.length > 0 ? null : undefined, durationMs: 0 };
    },
    async close() {},
  });
  const spec = mapping(batchSize, pf);
  const events = new PipelineEventBus();
  let batches = 0;
  events.on('invoked', () => batches++);
  const committer: ShardCommitter = { async checkpoint() {}, async complete() {}, async release() {} };
  const started = performance.now();
  await Promise.all(
    shards.map(async (records, s) => {
      const rt = noop(s);
      const sink = createShardPipeline({
        mapping: spec,
        shardId: shardId(`shardId-00000000000${s}`),
        committer,
        envelope,
        runtime: () => rt,
        events,
        logger: silentLogger,
        clock: systemClock,
      });
      round.push(sink);
      for (let i = 0; i < records.length; i += POLL_CHUNK) {
        const chunk = records.slice(i, i + POLL_CHUNK);
        pushedAt[s]![i / POLL_CHUNK] = performance.now();
        await sink.push(chunk);
      }
      await sink.close({ mode: 'drain' });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  previousRound = round;
  return { seconds, batches, latencies, sizes, sent };
}

/**
 * The ceiling: build and serialize the same events (the same records in the same batches),
 * nothing else. ParallelizationFactor 1: each batch is the next run of the shard's records, of
 * the size sluice sent. Above 1, batches skip records whose key is in flight, so the ceiling
 * rebuilds the events from the record lists sluice sent (a copy of each list, as wrap makes).
 */
function runCeiling(shards: PolledRecord[][], run: SluiceRun): number {
  const { sizes, sent } = run;
  const started = performance.now();
  let out = 0;
  shards.forEach((records, s) => {
    if (sent) {
      for (const recs of sent[s] ?? []) out += JSON.stringify({ Records: recs.slice() }).length;
      return;
    }
    let i = 0;
    for (const n of sizes[s] ?? []) {
      out += JSON.stringify(envelope.wrap(records.slice(i, i + n))).length;
      i += n;
    }
  });
  if (out === 0) throw new Error('nothing serialized');
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const results = [];
  for (const c of CASES) {
    const shards = buildShards(c.records / SHARDS);
    const recordBytes = Math.round(shards[0]!.reduce((s, r) => s + r.payloadBytes, 0) / shards[0]!.length);
    for (const pf of PFS) {
      // Both sides get discarded warm-up runs (JIT, see the header), then rounds alternate
      // sluice / ceiling so both are measured under the same machine load (the machine is shared).
      gc();
      for (let w = 0; w < WARMUP; w++) {
        const warm = await runSluice(shards, c.batchSize, pf);
        runCeiling(shards, warm);
      }
      const runs: SluiceRun[] = [];
      const ceilings: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const run = await runSluice(shards, c.batchSize, pf);
        runs.push(run);
        ceilings.push(runCeiling(shards, run));
      }
      const r = runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(ROUNDS / 2)]!;
      const ceilingSeconds = median(ceilings);
      const ceilingRps = c.records / ceilingSeconds;
      const sorted = r.latencies.sort((a, b) => a - b);
      const rps = c.records / r.seconds;
      results.push({
        batchSize: c.batchSize,
        parallelizationFactor: pf,
        records: c.records,
        recordBytes,
        seconds: +r.seconds.toFixed(3),
        recordsPerSec: Math.round(rps),
        batchesPerSec: Math.round(r.batches / r.seconds),
        p50BatchLatencyMs: +percentile(sorted, 50).toFixed(2),
        p99BatchLatencyMs: +percentile(sorted, 99).toFixed(2),
        ceilingRecordsPerSec: Math.round(ceilingRps),
        ratio: +(rps / ceilingRps).toFixed(3),
      });
    }
  }
  process.stdout.write(JSON.stringify({ bench: 'hotpath', shards: SHARDS, runtime: 'in-process no-op (JSON.stringify of the event)', results }) + '\n');
}

await main();

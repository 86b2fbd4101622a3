/**
 * Batching-window accuracy on the real clock: a trickle of records into shard pipelines with
 * windows of 1 s and 5 s, both window rules (Kinesis: the window starts when the previous invoke
 * completed, or at the first record before any invoke; Kafka: at the first record of the batch).
 * For each batch sent because its window expired, delay = invoke start − window expiry, where
 * expiry = max(rule start + window, arrival of the batch's first record). Target p99 ≤ 20 ms.
 * Fixed seed; all pipelines run at once for RUN_MS. Prints one JSON line.
 */
import { systemClock } from '../src/core/clock.js';
import { mappingUuid, recordId, shardId } from '../src/core/ids.js';
import type { MappingSpec, SourceKind } from '../src/core/mapping.js';
import type { FunctionRuntime, InvokeResult } from '../src/invoke/runtime.js';
import { PipelineEventBus } from '../src/observability/events.js';
import { silentLogger } from '../src/observability/logger.js';
import { createShardPipeline } from '../src/pipeline/shard-pipeline.js';
import type { PolledRecord, ShardCommitter } from '../src/sources/source.js';
import { jsonByteLength } from '../src/batching/payload-size.js';
import { recordsEnvelope } from '../src/sources/records-envelope.js';
import { rng } from './support/rng.js';
import { percentile } from './support/stats.js';

const RUN_MS = Number(process.env.BENCH_WINDOW_RUN_MS ?? 27_000);
const SHARDS_PER_CASE = 4;
const MEAN_GAP_MS = 60;
const CASES: readonly { kind: SourceKind; windowMs: number }[] = [
  { kind: 'kinesis', windowMs: 1000 },
  { kind: 'kafka', windowMs: 1000 },
  { kind: 'kinesis', windowMs: 5000 },
  { kind: 'kafka', windowMs: 5000 },
];

function mapping(kind: SourceKind, windowMs: number): MappingSpec {
  return Object.freeze({
    UUID: mappingUuid(`00000000-0000-4000-8000-00000000000${windowMs / 1000}`),
    FunctionName: 'noop',
    FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:noop',
    sourceKind: kind,
    fifo: false,
    BatchSize: 10_000,
    ...(kind === 'kafka' ? {} : { MaximumBatchingWindowInSeconds: windowMs / 1000 }),
    batchingWindowMs: windowMs,
    ParallelizationFactor: 1,
    MaximumRecordAgeInSeconds: -1,
    MaximumRetryAttempts: -1,
    BisectBatchOnFunctionError: false,
    FunctionResponseTypes: [],
    Enabled: true,
    configManaged: false,
    LastModified: 0,
  });
}

async function runShard(kind: SourceKind, windowMs: number, seed: number, deadline: number): Promise<number[]> {
  const rand = rng(seed);
  const delays: number[] = [];
  const arrivals = new Map<number, number>(); // record n -> accepted at (ms)
  let lastCompletedAt: number | undefined;
  const runtime: FunctionRuntime = {
    name: 'noop',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:noop',
    async invoke(event): Promise<InvokeResult> {
      const now = performance.now();
      const first = (event as { Records: { n: number }[] }).Records[0];
      const firstAt = first ? arrivals.get(first.n) : undefined;
      if (firstAt !== undefined) {
        const ruleStart = kind === 'kafka' || lastCompletedAt === undefined ? firstAt : lastCompletedAt;
        const expiry = Math.max(ruleStart + windowMs, firstAt);
        delays.push(now - expiry);
      }
      // A short function: completion time matters for the next window of after-invoke sources.
      await new Promise((r) => setTimeout(r, 2 + Math.floor(rand() * 5)));
      lastCompletedAt = performance.now();
      return { kind: 'success', payload: null, durationMs: lastCompletedAt - now };
    },
    async close() {},
  };
  const committer: ShardCommitter = { async checkpoint() {}, async complete() {}, async release() {} };
  const sink = createShardPipeline({
    mapping: mapping(kind, windowMs),
    shardId: shardId(`shard-${seed}`),
    committer,
    envelope: recordsEnvelope,
    runtime: () => runtime,
    events: new PipelineEventBus(),
    logger: silentLogger,
    clock: systemClock,
  });
  let n = 0;
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.floor(rand() * 2 * MEAN_GAP_MS)));
    const event = { n, data: 'x'.repeat(100) };
    const rec: PolledRecord = { id: recordId(String(n)), partitionKey: 'k', arrivalMs: Date.now(), payloadBytes: jsonByteLength(event), event };
    arrivals.set(n, performance.now());
    n++;
    await sink.push([rec]);
  }
  await sink.close({ mode: 'abandon' });
  return delays;
}

async function main(): Promise<void> {
  const deadline = performance.now() + RUN_MS;
  const results = await Promise.all(
    CASES.map(async (c, ci) => {
      const perShard = await Promise.all(
        Array.from({ length: SHARDS_PER_CASE }, (_, s) => runShard(c.kind, c.windowMs, 1000 * (ci + 1) + s, deadline)),
      );
      const d = perShard.flat().sort((a, b) => a - b);
      return {
        kind: c.kind,
        windowMs: c.windowMs,
        windowStart: c.kind === 'kafka' ? 'first-record' : 'after-invoke',
        batches: d.length,
        p50DelayMs: +percentile(d, 50).toFixed(2),
        p99DelayMs: +percentile(d, 99).toFixed(2),
        maxDelayMs: +(d.at(-1) ?? 0).toFixed(2),
        minDelayMs: +(d[0] ?? 0).toFixed(2),
      };
    }),
  );
  const p99 = Math.max(...results.map((r) => r.p99DelayMs));
  process.stdout.write(JSON.stringify({ bench: 'window-accuracy', runMs: RUN_MS, targetP99Ms: 20, worstP99Ms: p99, pass: p99 <= 20, results }) + '\n');
}

await main();

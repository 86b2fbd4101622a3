/**
 * Worker-thread invoke throughput: sluice's piscina runtime invoking a no-op handler, against the
 * ceiling of raw piscina run() of the same pre-built event objects (same threads, same tasks in
 * flight per thread, same total in flight). Kinesis-shaped events of 100 records of ~1 KB, from a
 * fixed seed. ratio = sluice / ceiling. Prints one JSON line.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { createPiscinaRuntime } from '../src/invoke/piscina-runtime.js';
import { silentLogger } from '../src/observability/logger.js';

const BATCH = 100;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = 6;
const handlerPath = fileURLToPath(new URL('../test/fixtures/handlers/noop.mjs', import.meta.url));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 4 shards' worth of Kinesis events; each record's JSON is ~1 KB. */
function buildEvents(): object[] {
  const rand = rng(42);
  const events: object[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const shard = `shardId-00000000000${b % 4}`;
    const Records = [];
    for (let i = 0; i < BATCH; i++) {
      const data = Buffer.alloc(360);
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(rand() * 256);
      const seq = `4959${String(b * BATCH + i).padStart(52, '0')}`;
      Records.push({
        kinesis: { kinesisSchemaVersion: '1.0', partitionKey: `pk-${Math.floor(rand() * 1e6)}`, sequenceNumber: seq, data: data.toString('base64'), approximateArrivalTimestamp: 1700000000.123 + b },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shard}:${seq}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/sluice',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/bench',
      });
    }
    events.push({ Records });
  }
  return events;
}

interface RunStats {
  seconds: number;
  /** CPU time of this whole process (all its threads) during the run, in µs. */
  cpuMicros: number;
  latencies: number[];
}

/** Keeps `concurrency` calls in flight until every event has been sent once. */
async function closedLoop(events: readonly object[], concurrency: number, call: (ev: object, i: number) => Promise<unknown>): Promise<RunStats> {
  const latencies = new Array<number>(events.length);
  let next = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const s = performance.now();
      await call(events[i]!, i);
      latencies[i] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuMicros: c.user + c.system, latencies };
}

function pct(sorted: readonly number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 1000) / 1000;
}

function summary(best: RunStats): Record<string, number> {
  const sorted = [...best.latencies].sort((a, b) => a - b);
  return {
    records_per_s: Math.round((BATCHES * BATCH) / best.seconds),
    batches_per_s: Math.round(BATCHES / best.seconds),
    p50_ms: pct(sorted, 0.5),
    p99_ms: pct(sorted, 0.99),
    cpu_us_per_batch: Math.round(best.cpuMicros / BATCHES),
  };
}

async function main(): Promise<void> {
  const events = buildEvents();
  const threads = Math.min(CONCURRENCY, Math.max(1, availableParallelism()));
  const perThread = Math.ceil(CONCURRENCY / threads);

  const raw = new Piscina({
    filename: handlerPath,
    name: 'handler',
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: perThread,
    maxQueue: CONCURRENCY,
    idleTimeout: Infinity,
  });
  const rt = createPiscinaRuntime(
    { kind: 'handler', name: 'noop', modulePath: handlerPath, exportName: 'handler', timeoutSeconds: 60, concurrency: CONCURRENCY, environment: {}, memorySizeMb: 128 },
    { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:noop', region: 'us-east-1', logger: silentLogger, ...(process.env.BENCH_HEAP ? { heapLimitMb: Number(process.env.BENCH_HEAP) } : {}) },
  );
  const signal = new AbortController().signal;
  const rawCall = (ev: object): Promise<unknown> => raw.run(ev);
  const sluiceCall = async (ev: object, i: number): Promise<unknown> => {
    const r = await rt.invoke(ev, { signal, payloadBytes: 0, requestId: `r${i}` });
    if (r.kind !== 'success') throw new Error(`invoke failed: ${JSON.stringify(r)}`);
    return r.payload;
  };

  // Warm both pools (thread start, module import, JIT).
  await closedLoop(events.slice(0, 300), CONCURRENCY, rawCall);
  await closedLoop(events.slice(0, 300), CONCURRENCY, sluiceCall);

  // Alternate the order each round so neither side always runs right after the other's garbage.
  let bestRaw: RunStats | undefined;
  let bestSluice: RunStats | undefined;
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let r = 0; r < ROUNDS; r++) {
    let a: RunStats | undefined;
    let b: RunStats | undefined;
    for (const side of r % 2 === 0 ? ['raw', 'sluice'] : ['sluice', 'raw']) {
      gc?.();
      if (side === 'raw') a = await closedLoop(events, CONCURRENCY, rawCall);
      else b = await closedLoop(events, CONCURRENCY, sluiceCall);
    }
    if (bestRaw === undefined || a!.seconds < bestRaw.seconds) bestRaw = a;
    if (bestSluice === undefined || b!.seconds < bestSluice.seconds) bestSluice = b;
    ratios.push(a!.seconds / b!.seconds);
    cpuRatios.push(a!.cpuMicros / b!.cpuMicros);
  }
  ratios.sort((x, y) => x - y);
  cpuRatios.sort((x, y) => x - y);
  await Promise.all([raw.destroy(), rt.close()]);
  const s = summary(bestSluice!);
  const c = summary(bestRaw!);
  console.log(
    JSON.stringify({
      bench: 'invoke-piscina',
      batches: BATCHES,
      batch_size: BATCH,
      record_bytes: Math.round(JSON.stringify(events[0]).length / BATCH),
      concurrency: CONCURRENCY,
      threads,
      rounds: ROUNDS,
      sluice: s,
      ceiling_raw_piscina: c,
      // best round of each side (the minimum-time estimator) ...
      ratio: Math.round((s.records_per_s! / c.records_per_s!) * 1000) / 1000,
      // ... and the median of the rounds' paired ratios (spread shows the machine's noise).
      ratio_median_of_rounds: Math.round(((ratios[(ROUNDS - 1) >> 1]! + ratios[ROUNDS >> 1]!) / 2) * 1000) / 1000,
      ratio_min_max: [Math.round(ratios[0]! * 1000) / 1000, Math.round(ratios[ROUNDS - 1]! * 1000) / 1000],
      // CPU time per batch (main + worker threads), ceiling / sluice, median of rounds: the
      // efficiency ratio, far less sensitive than wall time to other processes on the machine.
      cpu_ratio_median_of_rounds: Math.round(((cpuRatios[(ROUNDS - 1) >> 1]! + cpuRatios[ROUNDS >> 1]!) / 2) * 1000) / 1000,
    }),
  );
}

await main();

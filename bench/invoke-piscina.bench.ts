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
import { alternatingRounds, runtimeCall, summarizeRun, warmUp } from './support/closed-loop.js';
import { buildKinesisEvents } from './support/kinesis-events.js';
import { roundedMedian, round3 } from './support/stats.js';

const BATCH = 100;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const handlerPath = fileURLToPath(new URL('../test/fixtures/handlers/noop.mjs', import.meta.url));

async function main(): Promise<void> {
  const events = buildKinesisEvents(BATCHES, BATCH);
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
  const rawCall = (ev: object): Promise<unknown> => raw.run(ev);
  const sluiceCall = runtimeCall(rt);

  // Warm both pools (thread start, module import, JIT).
  await warmUp(events, CONCURRENCY, [rawCall, sluiceCall]);

  // Alternate the order each round so neither side always runs right after the other's garbage.
  const { best, rounds } = await alternatingRounds({ raw: rawCall, sluice: sluiceCall }, events, CONCURRENCY, ROUNDS);
  const ratios = rounds.map((r) => r.raw.seconds / r.sluice.seconds);
  const cpuRatios = rounds.map((r) => r.raw.cpuMicros / r.sluice.cpuMicros);
  await Promise.all([raw.destroy(), rt.close()]);
  const s = summarizeRun(best.sluice, BATCHES, BATCH);
  const c = summarizeRun(best.raw, BATCHES, BATCH);
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
      ratio: round3(s.records_per_s! / c.records_per_s!),
      // ... and the median of the rounds' paired ratios (spread shows the machine's noise).
      ratio_median_of_rounds: roundedMedian(ratios),
      ratio_min_max: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
      // CPU time per batch (main + worker threads), ceiling / sluice, median of rounds: the
      // efficiency ratio, far less sensitive than wall time to other processes on the machine.
      cpu_ratio_median_of_rounds: roundedMedian(cpuRatios),
    }),
  );
}

await main();

/**
 * HTTP invoke throughput: sluice's Lambda Invoke runtime against a local no-op Invoke API
 * (node:http in a child process on 127.0.0.1:0), against the ceiling of raw keep-alive undici
 * POSTs of the same bodies pre-serialized (sluice serializes each event inside invoke(), which the
 * ceiling does not). Same connections, same requests in flight. Kinesis-shaped events of 100
 * records of ~1 KB from a fixed seed. ratio = sluice / ceiling. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { createHttpRuntime } from '../src/invoke/http-runtime.js';
import { silentLogger } from '../src/observability/logger.js';

const BATCH = 100;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = 6;

const SERVER = `
import { createServer } from 'node:http';
const reply = Buffer.from('{"batchItemFailures":[]}');
const server = createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => { n += c.length; });
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url.startsWith('/2015-03-31/functions/') || n === 0) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
    res.end(reply);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

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
  const bodies = events.map((e) => JSON.stringify(e));
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      createInterface({ input: child.stdout! }).once('line', (l) => resolve(Number(l)));
    });
    const origin = `http://127.0.0.1:${port}`;
    const path = '/2015-03-31/functions/noop/invocations';
    const raw = new Pool(origin, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 4000 });
    const rt = createHttpRuntime(
      { kind: 'lambda', name: 'noop', endpoint: origin, functionName: 'noop', timeoutSeconds: 60, concurrency: CONCURRENCY, region: 'us-east-1' },
      { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:noop', logger: silentLogger },
    );
    const headers = { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' };
    const signal = new AbortController().signal;
    const rawCall = async (_ev: object, i: number): Promise<unknown> => {
      const res = await raw.request({ path, method: 'POST', headers, body: bodies[i]! });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return text;
    };
    // The same raw POST, serializing the event per call as any invoker must.
    const rawStringifyCall = async (ev: object): Promise<unknown> => {
      const res = await raw.request({ path, method: 'POST', headers, body: JSON.stringify(ev) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return text;
    };
    const sluiceCall = async (ev: object, i: number): Promise<unknown> => {
      const r = await rt.invoke(ev, { signal, payloadBytes: 0, requestId: `r${i}` });
      if (r.kind !== 'success') throw new Error(`invoke failed: ${JSON.stringify(r)}`);
      return r.payload;
    };

    await closedLoop(events.slice(0, 300), CONCURRENCY, rawCall);
    await closedLoop(events.slice(0, 300), CONCURRENCY, sluiceCall);

    const sides = { raw: rawCall, rawStringify: rawStringifyCall, sluice: sluiceCall };
    // Alternate the order each round; records/s and latencies are from each side's best round.
    const best: Partial<Record<keyof typeof sides, RunStats>> = {};
    const ratios: number[] = [];
    const ratiosStringify: number[] = [];
    const cpuRatios: number[] = [];
    const cpuRatiosStringify: number[] = [];
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let r = 0; r < ROUNDS; r++) {
      const order = Object.keys(sides) as (keyof typeof sides)[];
      if (r % 2 === 1) order.reverse();
      const round: Partial<Record<keyof typeof sides, RunStats>> = {};
      for (const side of order) {
        gc?.();
        const a = await closedLoop(events, CONCURRENCY, sides[side]);
        round[side] = a;
        if (best[side] === undefined || a.seconds < best[side].seconds) best[side] = a;
      }
      ratios.push(round.raw!.seconds / round.sluice!.seconds);
      ratiosStringify.push(round.rawStringify!.seconds / round.sluice!.seconds);
      cpuRatios.push(round.raw!.cpuMicros / round.sluice!.cpuMicros);
      cpuRatiosStringify.push(round.rawStringify!.cpuMicros / round.sluice!.cpuMicros);
    }
    const median = (xs: number[]): number => {
      xs.sort((x, y) => x - y);
      return Math.round(((xs[(xs.length - 1) >> 1]! + xs[xs.length >> 1]!) / 2) * 1000) / 1000;
    };
    await Promise.all([raw.close(), rt.close()]);
    const s = summary(best.sluice!);
    const c = summary(best.raw!);
    const cs = summary(best.rawStringify!);
    console.log(
      JSON.stringify({
        bench: 'invoke-http',
        batches: BATCHES,
        batch_size: BATCH,
        record_bytes: Math.round(bodies[0]!.length / BATCH),
        concurrency: CONCURRENCY,
        rounds: ROUNDS,
        sluice: s,
        ceiling_raw_undici: c,
        ceiling_raw_undici_with_stringify: cs,
        // best round of each side (the minimum-time estimator) ...
        ratio: Math.round((s.records_per_s! / c.records_per_s!) * 1000) / 1000,
        ratio_vs_stringify_ceiling: Math.round((s.records_per_s! / cs.records_per_s!) * 1000) / 1000,
        // ... and the medians of the rounds' paired ratios (their spread shows the machine's noise).
        ratio_median_of_rounds: median(ratios),
        ratio_vs_stringify_median_of_rounds: median(ratiosStringify),
        // client CPU per batch, ceiling / sluice (the server runs in another process): far less
        // sensitive than wall time to other processes on the machine.
        cpu_ratio_median_of_rounds: median(cpuRatios),
        cpu_ratio_vs_stringify_median_of_rounds: median(cpuRatiosStringify),
      }),
    );
  } finally {
    child.stdin!.end();
    child.kill();
  }
}

await main();

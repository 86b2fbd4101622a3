/**
 * HTTP invoke throughput: sluice's Lambda Invoke runtime against a local no-op Invoke API
 * (node:http in a child process on 127.0.0.1:0; the client's CPU is this process only).
 * Kinesis-shaped events of 100 records of ~1 KB from a fixed seed; every side sends the same
 * events with the same number of requests in flight, over keep-alive undici Pools of the same
 * size (the three ceilings share one Pool, sluice has its own; pipelining 1), and reads the
 * whole reply. The sides:
 * - sluice: `runtime.invoke(event)`, which serializes the event (JSON.stringify, then UTF-8 into
 *   a Buffer) inside each invoke, maps the answer and holds a concurrency slot.
 * - ceiling `raw_undici`: `pool.request` POSTing the body string JSON.stringify'd before the run,
 *   failing on a status other than 200
 *   (undici encodes the string into a Buffer per request; no serialization during the run).
 * - ceiling `raw_undici_with_stringify`: the same POST, with `JSON.stringify(event)` per request
 *   (what any invoker must do; undici encodes the string).
 * - ceiling `raw_undici_buffers`: the same POST of the UTF-8 bytes encoded before the run (no
 *   serialization and no encoding during the run: the floor for sending these bodies).
 * ratio = sluice / ceiling in records/s (best round of each side, and the median of the rounds'
 * paired ratios); cpu ratio = ceiling / sluice client CPU per batch. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { createHttpRuntime } from '../src/invoke/http-runtime.js';
import { silentLogger } from '../src/observability/logger.js';
import { alternatingRounds, runtimeCall, summarizeRun, warmUp } from './support/closed-loop.js';
import { buildKinesisEvents } from './support/kinesis-events.js';
import { roundedMedian, round3 } from './support/stats.js';

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

async function main(): Promise<void> {
  const events = buildKinesisEvents(BATCHES, BATCH);
  const bodies = events.map((e) => JSON.stringify(e));
  const bodyBytes = bodies.map((b) => Buffer.from(b, 'utf8'));
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
    const post = async (body: string | Buffer): Promise<unknown> => {
      const res = await raw.request({ path, method: 'POST', headers, body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return text;
    };
    const rawCall = (_ev: object, i: number): Promise<unknown> => post(bodies[i]!);
    const rawBufferCall = (_ev: object, i: number): Promise<unknown> => post(bodyBytes[i]!);
    // The same raw POST, serializing the event per call as any invoker must.
    const rawStringifyCall = (ev: object): Promise<unknown> => post(JSON.stringify(ev));
    const sluiceCall = runtimeCall(rt);

    await warmUp(events, CONCURRENCY, [rawCall, rawStringifyCall, rawBufferCall, sluiceCall]);

    // Alternate the order each round; records/s and latencies are from each side's best round.
    const { best, rounds } = await alternatingRounds({ raw: rawCall, rawStringify: rawStringifyCall, rawBuffer: rawBufferCall, sluice: sluiceCall }, events, CONCURRENCY, ROUNDS);
    const ratios = rounds.map((r) => r.raw.seconds / r.sluice.seconds);
    const ratiosStringify = rounds.map((r) => r.rawStringify.seconds / r.sluice.seconds);
    const ratiosBuffer = rounds.map((r) => r.rawBuffer.seconds / r.sluice.seconds);
    const cpuRatios = rounds.map((r) => r.raw.cpuMicros / r.sluice.cpuMicros);
    const cpuRatiosStringify = rounds.map((r) => r.rawStringify.cpuMicros / r.sluice.cpuMicros);
    const cpuRatiosBuffer = rounds.map((r) => r.rawBuffer.cpuMicros / r.sluice.cpuMicros);
    await Promise.all([raw.close(), rt.close()]);
    const s = summarizeRun(best.sluice, BATCHES, BATCH);
    const c = summarizeRun(best.raw, BATCHES, BATCH);
    const cs = summarizeRun(best.rawStringify, BATCHES, BATCH);
    const cb = summarizeRun(best.rawBuffer, BATCHES, BATCH);
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
        ceiling_raw_undici_buffers: cb,
        // best round of each side (the minimum-time estimator) ...
        ratio: round3(s.records_per_s! / c.records_per_s!),
        ratio_vs_stringify_ceiling: round3(s.records_per_s! / cs.records_per_s!),
        ratio_vs_buffer_ceiling: round3(s.records_per_s! / cb.records_per_s!),
        // ... and the medians of the rounds' paired ratios (their spread shows the machine's noise).
        ratio_median_of_rounds: roundedMedian(ratios),
        ratio_vs_stringify_median_of_rounds: roundedMedian(ratiosStringify),
        ratio_vs_buffer_median_of_rounds: roundedMedian(ratiosBuffer),
        // client CPU per batch, ceiling / sluice (the server runs in another process): far less
        // sensitive than wall time to other processes on the machine.
        cpu_ratio_median_of_rounds: roundedMedian(cpuRatios),
        cpu_ratio_vs_stringify_median_of_rounds: roundedMedian(cpuRatiosStringify),
        cpu_ratio_vs_buffer_median_of_rounds: roundedMedian(cpuRatiosBuffer),
      }),
    );
  } finally {
    child.stdin!.end();
    child.kill();
  }
}

await main();

/**
 * Child process for the stop test: the "survivor" Kafka source. It settles its records slowly (so
 * batches are held when the group rebalances), waits until it owns all 3 partitions after its
 * peer left (mode `peer-stop`: a second source in this process is stopped) or died (mode
 * `external`: the parent SIGKILLs another process), consumes a little more, then calls stop().
 * Progress lines on stdout: `ASSIGNED n`, `STOPPING`, `STOPPED <ms>`.
 *
 * With SLUICE_KSTOP_DIAG=1 it counts kafkajs Runner.fetch calls made after the runner stopped
 * (a fetch loop spinning on `[]`) and, past 100 000 of them, writes the spinning stack to stderr
 * and kills itself: a blocked event loop cannot be diagnosed from a timer.
 * argv: <brokers comma-separated> <topic> <groupId> <mode>
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createKafkaSource as defaultCreate, type KafkaSource } from '../../../src/sources/kafka/kafka-source.js';
import { kafkaContext, kafkaMapping, MOCK_OPTS } from './helpers.js';
import { waitFor } from '../../support/wait.js';
import type { ShardSink, SourceContext } from '../../../src/sources/source.js';

const [brokersArg, topic, groupId, mode] = process.argv.slice(2);
if (!brokersArg || !topic || !groupId || (mode !== 'peer-stop' && mode !== 'external' && mode !== 'late-join')) {
  throw new Error('usage: stop-child <brokers> <topic> <groupId> peer-stop|external|late-join');
}
const out = (line: string): void => void writeSync(1, `${line}\n`);

let stoppedFetches: (() => number) | undefined;
if (process.env.SLUICE_KSTOP_DIAG === '1') {
  const req = createRequire(import.meta.url);
  const Runner = req('kafkajs/src/consumer/runner.js') as { prototype: { fetch: (this: { running: boolean }, n: number) => Promise<unknown[]> } };
  const orig = Runner.prototype.fetch;
  let idle = 0;
  stoppedFetches = () => idle;
  Runner.prototype.fetch = function (this: { running: boolean }, nodeId: number) {
    if (!this.running && ++idle === 100_000) {
      writeSync(2, `SPIN: Runner.fetch called ${idle} times after the runner stopped\n${new Error('spin').stack}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
    return orig.call(this, nodeId);
  };
}

// SLUICE_KSTOP_SOURCE: another build of the source module (to measure an older version).
const createKafkaSource: typeof defaultCreate = process.env.SLUICE_KSTOP_SOURCE
  ? ((await import(process.env.SLUICE_KSTOP_SOURCE)) as { createKafkaSource: typeof defaultCreate }).createKafkaSource
  : defaultCreate;
const mapping = kafkaMapping(brokersArg.split(','), topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });

/** A context whose shards settle each pushed batch after `ms`, so handlers hold partitions. */
function slowContext(ms: number): SourceContext & { delivered: () => number; maxOffsets: Map<number, number> } {
  const ctx = kafkaContext(mapping, ms === 0 ? 'checkpoint' : 'hold');
  let delivered = 0;
  const maxOffsets = new Map<number, number>();
  const c: SourceContext = {
    ...ctx,
    openShard(id, committer, envelope): ShardSink {
      const sink = ctx.openShard(id, committer, envelope);
      return {
        shardId: sink.shardId,
        get pending() {
          return sink.pending;
        },
        async push(records, signal) {
          await sink.push(records, signal);
          delivered += records.length;
          for (const r of records) {
            const p = (r.event as { partition: number }).partition;
            maxOffsets.set(p, Math.max(maxOffsets.get(p) ?? -1, Number(r.id)));
          }
          const last = records[records.length - 1];
          if (last && ms > 0) setTimeout(() => void committer.checkpoint(last).catch(() => undefined), ms).unref();
        },
        setMaxInFlight: (n) => sink.setMaxInFlight(n),
        drained: (signal) => sink.drained(signal),
        close: (how) => sink.close(how),
      };
    },
  };
  return Object.assign(c, { delivered: () => delivered, maxOffsets });
}


// late-join: settle at once (the original crash-test survivor), joined while the dead member's
// session was still alive, stopped with a 100 ms deadline right after its first records.
const ctx = slowContext(mode === 'late-join' ? 0 : 50);
const survivor: KafkaSource = createKafkaSource(mapping, MOCK_OPTS);
await survivor.start(ctx);
let lastAssigned = -1;
const report = setInterval(() => {
  if (survivor.assigned.size !== lastAssigned) out(`ASSIGNED ${(lastAssigned = survivor.assigned.size)}`);
}, 20);

if (mode === 'peer-stop') {
  const peer = createKafkaSource(mapping, MOCK_OPTS);
  const peerCtx = slowContext(50);
  await peer.start(peerCtx);
  await waitFor(() => survivor.assigned.size > 0 && peer.assigned.size > 0 && survivor.assigned.size + peer.assigned.size === 3, { message: 'both assigned', timeoutMs: 40_000 });
  await waitFor(() => peerCtx.delivered() > 0, { message: 'peer delivered', timeoutMs: 40_000 });
  await peer.stop({ deadlineMs: 500 });
} else if (mode === 'external') {
  await waitFor(() => survivor.assigned.size > 0 && survivor.assigned.size < 3, { message: 'a share of the partitions', timeoutMs: 40_000 });
  out('READY');
}
await waitFor(() => survivor.assigned.size === 3, { message: 'the survivor owns every partition', timeoutMs: 40_000 });
if (mode === 'late-join') {
  // Like the original crash test: stop as soon as the last record of every partition arrived.
  const last = Number(process.env.SLUICE_KSTOP_LAST_OFFSET ?? 999);
  await waitFor(() => [0, 1, 2].every((p) => (ctx.maxOffsets.get(p) ?? -1) >= last), { message: 'every record', timeoutMs: 40_000 });
} else {
  const before = ctx.delivered();
  await waitFor(() => ctx.delivered() > before, { message: 'records after the rebalance', timeoutMs: 20_000 }).catch(() => undefined);
}
out('STOPPING');
const t0 = Date.now();
await survivor.stop({ deadlineMs: mode === 'late-join' ? 100 : 1000 });
out(`STOPPED ${Date.now() - t0}${stoppedFetches ? ` (${stoppedFetches()} Runner.fetch calls after stop)` : ''}`);
clearInterval(report);

/**
 * Kinesis source throughput on kinesalite: records/s delivered by createKinesisSource through a
 * minimal sink that checkpoints at once, against a raw GetRecords loop over the same pre-filled
 * streams in the same run (the server's ceiling). One JSON line on stdout.
 */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { systemClock } from '../src/core/clock.js';
import { PipelineEventBus } from '../src/observability/events.js';
import { silentLogger } from '../src/observability/logger.js';
import { awsClientConfig } from '../src/sources/aws-clients.js';
import { createKinesisSource } from '../src/sources/kinesis/kinesis-source.js';
import type { ShardSink, SourceContext } from '../src/sources/source.js';
import { startKinesalite, type KinesisTestServer } from '../test/support/kinesalite.js';
import { MemoryCheckpoints } from '../test/support/fake-source-context.js';
import { testMapping } from '../test/support/mapping.js';
import { createStream, listShards, putRecords } from '../test/sources/kinesis/helpers.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000);
const DATA = 'x'.repeat(100);

async function viaSource(server: KinesisTestServer, name: string, total: number): Promise<number> {
  const mapping = testMapping('kinesis', { EventSourceArn: server.streamArn(name) });
  let delivered = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const ac = new AbortController();
  const ctx: SourceContext = {
    mapping,
    signal: ac.signal,
    clock: systemClock,
    logger: silentLogger,
    events: new PipelineEventBus(),
    checkpoints: new MemoryCheckpoints(),
    aws: server.aws,
    reportProblem: () => {},
    openShard(shardId, committer): ShardSink {
      return {
        shardId,
        pending: 0,
        async push(records) {
          await committer.checkpoint(records[records.length - 1]!);
          delivered += records.length;
          if (delivered >= total) resolveAll();
        },
        setMaxInFlight() {},
        async drained() {},
        async close() {},
      };
    },
  };
  const source = createKinesisSource(mapping);
  const t0 = performance.now();
  await source.start(ctx);
  await all;
  const ms = performance.now() - t0;
  await source.stop();
  return (delivered / ms) * 1000;
}

async function rawLoop(kinesis: KinesisClient, name: string, total: number): Promise<number> {
  const t0 = performance.now();
  const shards = await listShards(kinesis, name);
  let read = 0;
  await Promise.all(
    shards.map(async (s) => {
      let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: name, ShardId: s.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      for (;;) {
        const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
        read += res.Records?.length ?? 0;
        it = res.NextShardIterator;
        if ((res.Records?.length ?? 0) === 0) break;
      }
    }),
  );
  const ms = performance.now() - t0;
  if (read < total) throw new Error(`raw loop read ${read} of ${total}`);
  return (read / ms) * 1000;
}

async function main(): Promise<void> {
  const server = await startKinesalite();
  const kinesis = new KinesisClient(awsClientConfig(server.aws, 'kinesis'));
  try {
    const result: Record<string, unknown> = { bench: 'kinesis-source', server: 'kinesalite', records: RECORDS, dataBytes: DATA.length };
    for (const shards of [1, 4]) {
      const name = await createStream(kinesis, shards, 'bench');
      await putRecords(kinesis, name, Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i % 64}`, data: DATA })));
      const raw = await rawLoop(kinesis, name, RECORDS);
      const src = await viaSource(server, name, RECORDS);
      result[`shards${shards}`] = { sourceRecordsPerSec: Math.round(src), rawGetRecordsPerSec: Math.round(raw), ratio: Number((src / raw).toFixed(3)) };
    }
    console.log(JSON.stringify(result));
  } finally {
    kinesis.destroy();
    await server.close();
  }
}

await main();

/**
 * Kafka test support: starts librdkafka's mock cluster (test/support/kafka-mock/launcher.c) as a
 * child process, plus the kafkajs settings that make the mock fast and reliable in tests
 * (local-backends.md, "Kafka" quirks 1-5).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Kafka, PartitionAssigners, logLevel, type Message, type PartitionAssigner } from 'kafkajs';
import { spawnServerProcess } from './process.js';
import { waitFor } from './wait.js';

/** test/support/kafka-mock in the source tree (this file runs from dist/test/support). */
const MOCK_DIR = fileURLToPath(new URL('../../../test/support/kafka-mock/', import.meta.url));
const MOCK_BIN = join(MOCK_DIR, 'build', 'kafka-mock');

export interface KafkaMock {
  /** Bootstrap addresses, `127.0.0.1:<port>` per broker. */
  readonly brokers: string[];
  /** Stops the cluster (SIGTERM, SIGKILL after 3 s). Idempotent. */
  close(): Promise<void>;
}

/** Builds the launcher with build.sh when the binary is missing; throws with build.sh's message otherwise. */
export function ensureKafkaMockBuilt(): string {
  if (existsSync(MOCK_BIN)) return MOCK_BIN;
  const r = spawnSync('sh', [join(MOCK_DIR, 'build.sh')], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(MOCK_BIN)) {
    throw new Error(`cannot build the Kafka mock cluster launcher: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  }
  return MOCK_BIN;
}

/**
 * Starts a mock Kafka cluster with `brokers` brokers (default 3) and the given topics. Topics must
 * be created here: the mock does not support CreateTopics (auto-create on produce makes 4 partitions).
 */
export async function startKafkaMock(opts: {
  brokers?: number;
  topics: { name: string; partitions: number }[];
  /** Deadline for the cluster to come up; default 15 s. */
  timeoutMs?: number;
}): Promise<KafkaMock> {
  const bin = ensureKafkaMockBuilt();
  const file = join(tmpdir(), `sluice-kafka-mock-${process.pid}-${randomBytes(6).toString('hex')}.bootstrap`);
  rmSync(file, { force: true });
  const args = [String(opts.brokers ?? 3), file, ...opts.topics.map((t) => `${t.name}:${t.partitions}`)];
  const proc = spawnServerProcess(bin, args, { stderrLimit: 4096 });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await proc.close();
      rmSync(file, { force: true });
    })());

  try {
    const text = await waitFor(
      () => {
        const exitInfo = proc.exitInfo();
        if (exitInfo) throw new Error(`kafka-mock ${exitInfo}: ${proc.stderr().trim()}`);
        return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 15_000, intervalMs: 10, message: 'kafka-mock bootstrap file' },
    );
    return { brokers: text.split(',').filter(Boolean), close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Round-robin assignment returned after `delayMs` (default 300). Against the mock cluster this
 * avoids the SyncGroup race (a follower syncing after the leader gets error 42 and kafkajs
 * crashes the consumer). Every member of a group must use the same assigner. Test-only.
 */
export function delayedRoundRobinAssigner(delayMs = 300): PartitionAssigner {
  return (config) => {
    const rr = PartitionAssigners.roundRobin(config);
    return {
      name: 'SluiceTestDelayedRoundRobin',
      version: rr.version,
      protocol: (sub) => ({ ...rr.protocol(sub), name: 'SluiceTestDelayedRoundRobin' }),
      async assign(group) {
        await new Promise((r) => setTimeout(r, delayMs));
        return rr.assign(group);
      },
    };
  };
}

/**
 * kafkajs consumer settings for the mock cluster: short fetch waits (the mock holds every Fetch
 * for the whole maxWaitTimeInMs), a short session so joins/leaves take ~5 s instead of 29 s, and
 * the delayed assigner.
 */
export const mockConsumerSettings = Object.freeze({
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 6000,
  maxWaitTimeInMs: 100,
  partitionAssigners: [delayedRoundRobinAssigner()],
});

/** A silent kafkajs client for the given brokers. */
export function testKafka(brokers: string[], clientId = 'sluice-test'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

/**
 * Produces messages in batches of `batchSize` (default 1000): the mock returns one record batch
 * per partition per Fetch, so one-message sends consume slowly.
 */
export async function produce(brokers: string[], topic: string, messages: Message[], batchSize = 1000): Promise<void> {
  const producer = testKafka(brokers, 'sluice-test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += batchSize) {
      await producer.send({ topic, messages: messages.slice(i, i + batchSize), acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
}

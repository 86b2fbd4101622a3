// In-process reproduction of the stop() hang (the crash test's survivor as it was before it moved
// to a child process): stop-spin-detector reports a spinning kafkajs fetch loop and kills the
// process instead of letting it hang.
import './stop-spin-detector.js';
/**
 * A source instance SIGKILLed mid-batch (in a child process): the survivor in the same group takes
 * its partitions over. Every record is delivered at least once, no committed offset is ahead of a
 * record that was not settled, and order per partition holds within each instance.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafkaMock, produce, testKafka } from '../../support/kafka.js';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';
import { createKafkaSource } from '../../../src/sources/kafka/kafka-source.js';
import { kafkaContext, kafkaMapping, MOCK_OPTS } from './helpers.js';

test('SIGKILL mid-batch: at-least-once, commits never ahead of settled records, order per partition', { timeout: 90_000 }, async (t) => {
  const topic = uniqueName('crash');
  const groupId = uniqueName('g');
  const mock = await startKafkaMock({ brokers: 3, topics: [{ name: topic, partitions: 3 }] });
  after(() => mock.close());
  const n = 3000;
  await produce(mock.brokers, topic, Array.from({ length: n }, (_, i) => ({ partition: i % 3, value: String(i) })));

  const logFile = join(tmpdir(), `${uniqueName('crash-log')}.txt`);
  t.after(() => rmSync(logFile, { force: true }));
  const childJs = fileURLToPath(new URL('./crash-child.js', import.meta.url));
  const child = spawn(process.execPath, [childJs, mock.brokers.join(','), topic, groupId, logFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let childErr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (childErr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const settledLines = (): string[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => l.startsWith('S ')) : []);
  await waitFor(() => settledLines().length >= 300, { timeoutMs: 40_000, message: `child settles records (${childErr})` });
  child.kill('SIGKILL');
  await exited;

  // What the child did before it died.
  const log = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  const childDelivered = new Map<number, number[]>();
  const childSettled = new Map<number, Set<number>>();
  for (const l of log) {
    const [kind, p, o] = l.split(' ');
    if (kind === 'D') (childDelivered.get(Number(p)) ?? childDelivered.set(Number(p), []).get(Number(p))!).push(Number(o));
    if (kind === 'S') (childSettled.get(Number(p)) ?? childSettled.set(Number(p), new Set()).get(Number(p))!).add(Number(o));
  }
  const totalSettled = [...childSettled.values()].reduce((s, x) => s + x.size, 0);
  assert.ok(totalSettled < n, 'killed before it finished');

  // Commits at the moment of the kill: never ahead of a record the child had not settled.
  const admin = testKafka(mock.brokers).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const [offs] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committedAtKill = new Map<number, number>();
  for (const p of offs!.partitions) {
    const c = Number(p.offset);
    committedAtKill.set(p.partition, c);
    const settled = childSettled.get(p.partition) ?? new Set<number>();
    for (let o = 0; o < c; o++) assert.ok(settled.has(o), `partition ${p.partition}: committed ${c} but offset ${o} was never settled`);
  }
  for (const [p, offsets] of childDelivered) {
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `child delivered partition ${p} in order`);
  }

  // The survivor takes every partition over once the dead member's session expires.
  const mapping = kafkaMapping(mock.brokers, topic, { SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: groupId } });
  const ctx = kafkaContext(mapping, 'checkpoint');
  const survivor = createKafkaSource(mapping, MOCK_OPTS);
  t.after(async () => {
    const dbg = (m: string): void => void (process.env.SLUICE_DEBUG_CRASH && process.stderr.write(`${m}\n`));
    dbg('stopping survivor');
    await survivor.stop({ deadlineMs: 100 });
    dbg('survivor stopped');
  });
  await survivor.start(ctx);
  process.stderr.write(`killed after ${totalSettled} settled; committed ${JSON.stringify([...committedAtKill])}\n`);
  const perPartition = n / 3;
  await waitFor(
    () => {
      if (process.env.SLUICE_DEBUG_CRASH) process.stderr.write(`survivor: ${ctx.all.length} delivered, assigned ${[...survivor.assigned].join(',')}\n`);
      for (let p = 0; p < 3; p++) {
        const got = new Set([...(childSettled.get(p) ?? []), ...ctx.all.filter((r) => (r.event as { partition: number }).partition === p).map((r) => Number(r.id))]);
        if (got.size < perPartition) return false;
      }
      return true;
    },
    { timeoutMs: 45_000, message: 'every record delivered at least once' },
  );
  for (let p = 0; p < 3; p++) {
    const offsets = ctx.all.filter((r) => (r.event as { partition: number }).partition === p).map((r) => Number(r.id));
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `survivor delivered partition ${p} in order`);
    const c = committedAtKill.get(p) ?? -1;
    if (offsets.length > 0) assert.equal(offsets[0], Math.max(0, c), `survivor resumed partition ${p} at the committed offset`);
    assert.equal(new Set(offsets).size, offsets.length, 'the survivor itself delivered each record once');
  }
});

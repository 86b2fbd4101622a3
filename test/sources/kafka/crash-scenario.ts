/**
 * The first half of the Kafka crash scenarios: a 3-partition topic with 3000 records, a source
 * instance in a child process (crash-child.ts) SIGKILLed mid-batch, and what it left behind —
 * checked here: commits never ahead of a record it had not settled, its deliveries in order.
 * The tests then bring up a survivor in the same group and check it with `assertSurvivor`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { startKafkaMock, produce } from '../../support/kafka.js';
import { committedOffsets } from './helpers.js';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';

export interface KilledMember {
  readonly brokers: string[];
  readonly topic: string;
  readonly groupId: string;
  readonly records: number;
  readonly partitions: number;
  /** Offsets the killed member settled, per partition. */
  readonly settled: ReadonlyMap<number, ReadonlySet<number>>;
  readonly totalSettled: number;
  /** The group's committed offset per partition right after the kill. */
  readonly committedAtKill: ReadonlyMap<number, number>;
}

export async function killMemberMidBatch(t: TestContext): Promise<KilledMember> {
  const topic = uniqueName('crash');
  const groupId = uniqueName('g');
  const partitions = 3;
  const mock = await startKafkaMock({ brokers: 3, topics: [{ name: topic, partitions }] });
  t.after(() => mock.close());
  const n = 3000;
  await produce(mock.brokers, topic, Array.from({ length: n }, (_, i) => ({ partition: i % partitions, value: String(i) })));

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
  const delivered = new Map<number, number[]>();
  const settled = new Map<number, Set<number>>();
  for (const l of readFileSync(logFile, 'utf8').split('\n').filter(Boolean)) {
    const [kind, p, o] = l.split(' ');
    if (kind === 'D') (delivered.get(Number(p)) ?? delivered.set(Number(p), []).get(Number(p))!).push(Number(o));
    if (kind === 'S') (settled.get(Number(p)) ?? settled.set(Number(p), new Set()).get(Number(p))!).add(Number(o));
  }
  const totalSettled = [...settled.values()].reduce((s, x) => s + x.size, 0);
  assert.ok(totalSettled < n, 'killed before it finished');

  // Commits at the moment of the kill: never ahead of a record the child had not settled.
  const offsets = await (await committedOffsets(mock.brokers, groupId, topic, (fn) => t.after(fn)))();
  assert.ok(offsets.size > 0, 'the group has committed offsets to read');
  const committedAtKill = new Map<number, number>();
  for (const [partition, offset] of offsets) {
    const c = Number(offset);
    committedAtKill.set(partition, c);
    const s = settled.get(partition) ?? new Set<number>();
    for (let o = 0; o < c; o++) assert.ok(s.has(o), `partition ${partition}: committed ${c} but offset ${o} was never settled`);
  }
  for (const [p, offsets] of delivered) {
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `child delivered partition ${p} in order`);
  }
  return { brokers: mock.brokers, topic, groupId, records: n, partitions, settled, totalSettled, committedAtKill };
}

/** True once every record was settled by the killed member or delivered to the survivor. */
export function everyRecordSeen(k: KilledMember, survivorOffsets: (partition: number) => readonly number[]): boolean {
  const perPartition = k.records / k.partitions;
  for (let p = 0; p < k.partitions; p++) {
    const seen = new Set([...(k.settled.get(p) ?? []), ...survivorOffsets(p)]);
    if (seen.size < perPartition) return false;
  }
  return true;
}

/** The survivor delivered each partition in order, once, starting at the committed offset. */
export function assertSurvivor(k: KilledMember, survivorOffsets: (partition: number) => readonly number[]): void {
  for (let p = 0; p < k.partitions; p++) {
    const offsets = survivorOffsets(p);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `survivor delivered partition ${p} in order`);
    const c = k.committedAtKill.get(p) ?? -1;
    if (offsets.length > 0) assert.equal(offsets[0], Math.max(0, c), `survivor resumed partition ${p} at the committed offset`);
    assert.equal(new Set(offsets).size, offsets.length, 'the survivor itself delivered each record once');
  }
}

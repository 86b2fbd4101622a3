/**
 * stop() of a Kafka source that was just rebalanced (its peer stopped, or died and its session
 * expired) must finish in-process. The survivor runs in a child process (stop-child.ts) so that a
 * blocked event loop is caught by a watchdog here instead of hanging the test; with
 * SLUICE_KSTOP_DIAG=1 a spinning kafkajs fetch loop is reported with its stack.
 * SLUICE_KSTOP_RUNS (default 1) sets the repetitions per scenario.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafkaMock, produce, type KafkaMock } from '../../support/kafka.js';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';

const RUNS = Number(process.env.SLUICE_KSTOP_RUNS ?? 1);
/** Comma-separated subset of peer-stop,external,late-join (default all). */
const MODES = new Set((process.env.SLUICE_KSTOP_MODES ?? 'peer-stop,external,late-join').split(','));
/** stop() uses deadlineMs 1000 in the child; a healthy stop is far below this. */
const STOP_BOUND_MS = 15_000;
const stopChild = fileURLToPath(new URL('./stop-child.js', import.meta.url));
const crashChild = fileURLToPath(new URL('./crash-child.js', import.meta.url));

interface Proc {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly exited: Promise<void>;
  kill(): Promise<void>;
}

function run(file: string, args: string[]): Proc {
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-8000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

type Outcome = { kind: 'stopped'; ms: number; line: string } | { kind: 'hung'; detail: string };

/** Waits for the survivor to print STOPPED and exit, or declares it hung STOP_BOUND_MS after STOPPING. */
async function awaitStop(s: Proc): Promise<Outcome> {
  await waitFor(() => s.out().includes('STOPPING') || s.child.exitCode !== null || s.child.signalCode !== null, {
    timeoutMs: 60_000,
    message: `survivor reaches STOPPING (${s.err()})`,
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_BOUND_MS)));
  const how = await Promise.race([s.exited.then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (how === 'late') {
    await s.kill();
    return { kind: 'hung', detail: `no exit ${STOP_BOUND_MS} ms after STOPPING; stdout: ${s.out()}; stderr: ${s.err()}` };
  }
  const m = /STOPPED (\d+).*/.exec(s.out());
  if (!m || s.child.exitCode !== 0) return { kind: 'hung', detail: `exit ${s.child.exitCode ?? s.child.signalCode}; stdout: ${s.out()}; stderr: ${s.err()}` };
  return { kind: 'stopped', ms: Number(m[1]), line: m[0] };
}

let mock: KafkaMock;
const topic = uniqueName('stop');
/** late-join runs each get a fresh topic of 3000 records (1000 per partition), like the crash test. */
const lateTopics = Array.from({ length: RUNS }, (_, i) => uniqueName(`late${i}`));
const ready = (async () => {
  mock = await startKafkaMock({ brokers: 3, topics: [topic, ...lateTopics].map((name) => ({ name, partitions: 3 })) });
  await produce(mock.brokers, topic, Array.from({ length: 30_000 }, (_, i) => ({ partition: i % 3, value: String(i) })));
  for (const t of lateTopics) await produce(mock.brokers, t, Array.from({ length: 3000 }, (_, i) => ({ partition: i % 3, value: String(i) })));
})();
after(async () => {
  await ready.catch(() => undefined);
  await mock?.close();
});

test(`stop() right after a peer left the group finishes in-process (${RUNS} runs)`, { timeout: RUNS * 60_000 + 30_000, skip: !MODES.has('peer-stop') }, async (t) => {
  await ready;
  const outcomes: Outcome[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = run(stopChild, [mock.brokers.join(','), topic, uniqueName('g'), 'peer-stop']);
    t.after(() => s.kill());
    outcomes.push(await awaitStop(s));
  }
  const hung = outcomes.filter((o) => o.kind === 'hung');
  t.diagnostic(`stop ms: ${outcomes.map((o) => (o.kind === 'stopped' ? o.line.slice(8) : 'HUNG')).join(', ')}`);
  assert.deepEqual(hung, [], `${hung.length}/${RUNS} stops hung`);
});

test(`stop() right after a dead peer's session expired finishes in-process (${RUNS} runs)`, { timeout: RUNS * 70_000 + 30_000, skip: !MODES.has('external') }, async (t) => {
  await ready;
  const outcomes: Outcome[] = [];
  for (let i = 0; i < RUNS; i++) {
    const groupId = uniqueName('g');
    const logFile = join(tmpdir(), `${uniqueName('victim-log')}.txt`);
    t.after(() => rmSync(logFile, { force: true }));
    const victim = run(crashChild, [mock.brokers.join(','), topic, groupId, logFile]);
    t.after(() => victim.kill());
    const s = run(stopChild, [mock.brokers.join(','), topic, groupId, 'external']);
    t.after(() => s.kill());
    await waitFor(() => s.out().includes('READY') && existsSync(logFile) && readFileSync(logFile, 'utf8').includes('\nS '), {
      timeoutMs: 60_000,
      message: `victim and survivor share the group (${s.err()} ${victim.err()})`,
    });
    await victim.kill(); // no LeaveGroup: the survivor is rebalanced when the session expires
    outcomes.push(await awaitStop(s));
  }
  const hung = outcomes.filter((o) => o.kind === 'hung');
  t.diagnostic(`stop ms: ${outcomes.map((o) => (o.kind === 'stopped' ? o.line.slice(8) : 'HUNG')).join(', ')}`);
  assert.deepEqual(hung, [], `${hung.length}/${RUNS} stops hung`);
});

test(`stop() of a member that joined beside a dead one, right after it caught up, finishes in-process (${RUNS} runs)`, { timeout: RUNS * 80_000 + 30_000, skip: !MODES.has('late-join') }, async (t) => {
  await ready;
  const outcomes: Outcome[] = [];
  for (let i = 0; i < RUNS; i++) {
    const groupId = uniqueName('g');
    const logFile = join(tmpdir(), `${uniqueName('victim-log')}.txt`);
    t.after(() => rmSync(logFile, { force: true }));
    const lt = lateTopics[i]!;
    const victim = run(crashChild, [mock.brokers.join(','), lt, groupId, logFile]);
    t.after(() => victim.kill());
    await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').split('\nS ').length > 300, {
      timeoutMs: 60_000,
      message: `victim settles records (${victim.err()})`,
    });
    await victim.kill(); // its session is still alive when the survivor joins
    const s = run(stopChild, [mock.brokers.join(','), lt, groupId, 'late-join']);
    t.after(() => s.kill());
    outcomes.push(await awaitStop(s));
  }
  const hung = outcomes.filter((o) => o.kind === 'hung');
  t.diagnostic(`stop ms: ${outcomes.map((o) => (o.kind === 'stopped' ? o.line.slice(8) : 'HUNG')).join(', ')}`);
  assert.deepEqual(hung, [], `${hung.length}/${RUNS} stops hung`);
});

/**
 * A source instance SIGKILLed mid-batch (in a child process): the survivor in the same group takes
 * its partitions over. Every record is delivered at least once, no committed offset is ahead of a
 * record that was not settled, and order per partition holds within each instance.
 */
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniqueName } from '../../support/names.js';
import { waitFor } from '../../support/wait.js';
import { assertSurvivor, everyRecordSeen, killMemberMidBatch } from './crash-scenario.js';

test('SIGKILL mid-batch: at-least-once, commits never ahead of settled records, order per partition', { timeout: 90_000 }, async (t) => {
  const killed = await killMemberMidBatch(t);

  // The survivor (a second child, so nothing of it can outlive the test) takes every partition
  // over once the dead member's session expires.
  const logFile = join(tmpdir(), `${uniqueName('survivor-log')}.txt`);
  t.after(() => rmSync(logFile, { force: true }));
  const childJs = fileURLToPath(new URL('./crash-child.js', import.meta.url));
  const survivor = spawn(process.execPath, [childJs, killed.brokers.join(','), killed.topic, killed.groupId, logFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let survivorErr = '';
  survivor.stderr.setEncoding('utf8').on('data', (d: string) => (survivorErr += d));
  const survivorExited = new Promise<void>((r) => survivor.once('exit', () => r()));
  t.after(async () => {
    if (survivor.exitCode === null && survivor.signalCode === null) survivor.kill('SIGKILL');
    await survivorExited;
  });
  let got = new Map<number, number[]>();
  const delivered = (): Map<number, number[]> => {
    const out = new Map<number, number[]>();
    if (!existsSync(logFile)) return out;
    for (const l of readFileSync(logFile, 'utf8').split('\n')) {
      const [kind, p, o] = l.split(' ');
      if (kind === 'D') (out.get(Number(p)) ?? out.set(Number(p), []).get(Number(p))!).push(Number(o));
    }
    return out;
  };
  const offsetsOf = (p: number): number[] => got.get(p) ?? [];
  await waitFor(
    () => {
      got = delivered();
      return everyRecordSeen(killed, offsetsOf);
    },
    { timeoutMs: 45_000, intervalMs: 100, message: `every record delivered at least once (${survivorErr})` },
  );
  assertSurvivor(killed, offsetsOf);
});

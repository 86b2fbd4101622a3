import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { runUntilSignal } from '../../src/daemon/run.js';
import type { Daemon } from '../../src/daemon/types.js';
import { silentLogger } from '../../src/observability/logger.js';
import { waitFor } from '../support/wait.js';

function fakeDaemon(stopImpl: () => Promise<void>): Daemon {
  return { address: { host: '127.0.0.1', port: 1 }, stop: stopImpl } as unknown as Daemon;
}

test('runUntilSignal: the first signal stops the daemon and resolves 0; handlers are removed', async () => {
  const proc = new EventEmitter();
  const lines: string[] = [];
  const exits: number[] = [];
  let stops = 0;
  const done = runUntilSignal(async () => fakeDaemon(async () => void stops++), {
    logger: silentLogger,
    writeStdout: (l) => lines.push(l),
    drainTimeoutMs: 1000,
    proc: proc as unknown as NodeJS.Process,
    forceExit: (c) => exits.push(c),
  });
  await waitFor(() => lines.length === 1);
  assert.deepEqual(lines, ['sluice started: control plane on http://127.0.0.1:1']);
  proc.emit('SIGTERM', 'SIGTERM');
  assert.equal(await done, 0);
  assert.equal(stops, 1);
  assert.deepEqual(exits, []);
  assert.equal(lines.at(-1), 'sluice stopped');
  assert.equal(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM'), 0);
});

test('runUntilSignal: a second signal forces exit 130; a stop that overruns the deadline forces exit 1', async () => {
  const proc = new EventEmitter();
  const exits: number[] = [];
  let release: () => void = () => {};
  const done = runUntilSignal(async () => fakeDaemon(() => new Promise<void>((r) => (release = r))), {
    logger: silentLogger,
    writeStdout: () => {},
    drainTimeoutMs: 20,
    graceMs: 20,
    proc: proc as unknown as NodeJS.Process,
    forceExit: (c) => exits.push(c),
  });
  await waitFor(() => proc.listenerCount('SIGINT') === 1);
  proc.emit('SIGINT', 'SIGINT');
  await waitFor(() => exits.includes(1), { message: 'overrun exit' });
  proc.emit('SIGINT', 'SIGINT');
  assert.deepEqual(exits, [1, 130]);
  release();
  assert.equal(await done, 0);
});

test('runUntilSignal: a failed start resolves 1', async () => {
  const proc = new EventEmitter();
  const code = await runUntilSignal(
    async () => {
      throw new Error('port in use');
    },
    { logger: silentLogger, writeStdout: () => {}, drainTimeoutMs: 10, proc: proc as unknown as NodeJS.Process, forceExit: () => {} },
  );
  assert.equal(code, 1);
  assert.equal(proc.listenerCount('SIGTERM'), 0);
});

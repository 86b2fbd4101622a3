import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoConfig, spawnDaemon } from './spawn-daemon.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

test('sluice start: the embedded demo runs end to end (records flow to the handler) and SIGTERM exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-start-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const d = spawnDaemon([CLI, 'start', '--config', demoConfig(dir, 10)]);
  t.after(() => d.child.kill('SIGKILL'));

  const started = await d.waitForLine(/^sluice started: control plane on http:\/\/127\.0\.0\.1:\d+$/);
  const base = started.slice(started.indexOf('http://'));
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  const metrics = await fetch(`${base}/metrics`);
  assert.equal(metrics.status, 200);
  await metrics.text();

  // Records flowing: the progress line's totals show invoked records and no failures.
  const line = await d.waitForLine(/totals: polled \d+, invoked [1-9]\d*, failed 0,/, 30_000);
  assert.match(line, /^progress: polled [\d.]+\/s, invoked [\d.]+\/s, failed 0\/s, batches [\d.]+\/s, mean batch [\d.]+, lag .* \| totals: /);

  const t0 = Date.now();
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 0, d.stderr());
  assert.ok(Date.now() - t0 < 12_000, `stopped within the drain deadline (${Date.now() - t0} ms)`);
  assert.equal(d.stdout.at(-1), 'sluice stopped');
});

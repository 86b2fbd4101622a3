import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoConfig, spawnDaemon } from './spawn-daemon.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/daemon-main.js', import.meta.url));

test('daemon: starts embedded servers and the control plane, applies config mappings, stops on SIGTERM with exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-daemon-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const d = spawnDaemon([FIXTURE, demoConfig(dir)]);
  t.after(() => d.child.kill('SIGKILL'));

  const started = await d.waitForLine(/^sluice started: control plane on http:\/\/127\.0\.0\.1:\d+$/);
  const base = started.slice(started.indexOf('http://'));
  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  const list = (await (await fetch(`${base}/2015-03-31/event-source-mappings`)).json()) as { EventSourceMappings: { EventSourceArn: string; FunctionArn: string }[] };
  assert.deepEqual(list.EventSourceMappings.map((m) => m.EventSourceArn).sort(), [
    'arn:aws:kinesis:us-east-1:000000000000:stream/sluice-demo',
    'arn:aws:sqs:us-east-1:000000000000:sluice-demo',
  ]);
  assert.ok(list.EventSourceMappings.every((m) => m.FunctionArn === 'arn:aws:lambda:us-east-1:000000000000:function:echo'));
  assert.ok(existsSync(join(dir, 'state', 'sluice.db')), 'the sqlite file is created relative to the config file');
  await d.waitForLine(/^progress: polled /);

  const t0 = Date.now();
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 0, d.stderr());
  assert.ok(Date.now() - t0 < 5000 + 2000, `stopped within the drain deadline (${Date.now() - t0} ms)`);
  assert.equal(d.stdout.at(-1), 'sluice stopped');
});

test('daemon: SIGINT stops it the same way; a restart keeps the config mappings (same UUIDs)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-daemon-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = demoConfig(dir);
  const uuids: string[][] = [];
  for (let run = 0; run < 2; run++) {
    const d = spawnDaemon([FIXTURE, cfg]);
    t.after(() => d.child.kill('SIGKILL'));
    const started = await d.waitForLine(/^sluice started: /);
    const base = started.slice(started.indexOf('http://'));
    const list = (await (await fetch(`${base}/2015-03-31/event-source-mappings`)).json()) as { EventSourceMappings: { UUID: string }[] };
    uuids.push(list.EventSourceMappings.map((m) => m.UUID).sort());
    d.child.kill('SIGINT');
    assert.equal(await d.exited, 0, d.stderr());
  }
  assert.equal(uuids[0]?.length, 2);
  assert.deepEqual(uuids[1], uuids[0]);
});

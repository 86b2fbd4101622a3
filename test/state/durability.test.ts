import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openStateStore } from '../../src/state/open.js';
import { mappingUuid } from '../../src/core/ids.js';
import { createTestSchema, pgUnavailableReason } from '../support/postgres.js';

const child = fileURLToPath(new URL('./durability-child.js', import.meta.url));

/** Runs the child until it reports a flush, then SIGKILLs it. */
function runAndKill(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`child did not flush in time; stderr: ${err}`));
    }, 20_000);
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('flushed 20')) p.kill('SIGKILL');
    });
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && out.includes('flushed 20')) resolve();
      else reject(new Error(`child exited ${code ?? signal} before flushing; stderr: ${err}`));
    });
  });
}

async function assertFlushedState(open: () => ReturnType<typeof openStateStore>, m: string): Promise<void> {
  const store = await open();
  try {
    const list = await store.checkpoints.list(mappingUuid(m));
    assert.deepEqual(
      list.map((c) => [c.shardId, c.position]),
      Array.from({ length: 8 }, (_, s) => [`shard-${s}`, String(20_000 + s)]),
    );
  } finally {
    await store.close();
  }
}

test('SQLite: checkpoints flushed before kill -9 survive; unflushed later puts do not appear', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kill-'));
  try {
    const file = join(dir, 'state.db');
    const m = randomUUID();
    await runAndKill(['sqlite', file, m]);
    await assertFlushedState(() => openStateStore({ sqlite: file }), m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: checkpoints flushed before kill -9 survive', async (t) => {
  const reason = await pgUnavailableReason();
  if (reason) return t.skip(reason);
  const s = await createTestSchema();
  try {
    const m = randomUUID();
    await runAndKill(['postgres', s.url, m, s.schema]);
    await assertFlushedState(() => openStateStore({ postgres: s.url }, { schema: s.schema }), m);
  } finally {
    await s.drop();
  }
});

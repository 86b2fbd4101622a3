import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyConfigMappings, restoreMappings } from '../../src/control/config-mappings.js';
import { createControlPlane } from '../../src/control/server.js';
import { openStateStore } from '../../src/state/open.js';
import { silentLogger } from '../../src/observability/logger.js';
import { mappingUuid, shardId } from '../../src/core/ids.js';
import { ApiError } from '../../src/core/errors.js';
import { createFakeEngine } from '../support/fake-engine.js';
import { handlerFunction, SQS_ARN, KINESIS_ARN, REGION, ACCOUNT } from './harness.js';

function tempDb(): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cfg-'));
  return { file: join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const functions = ['fn-a', 'fn-b'].map(handlerFunction);

test('config mappings are created once, left alone when unchanged, updated in place when changed; restore re-applies them', async (t) => {
  const db = tempDb();
  t.after(() => db.cleanup());
  const entries = [
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('cfg-q'), BatchSize: 5 },
    { UUID: '0f3c7a52-8d7e-4d55-9a57-6f1e3b1f9a10', FunctionName: 'fn-b', EventSourceArn: KINESIS_ARN('cfg-s'), StartingPosition: 'TRIM_HORIZON' },
  ];

  // First start.
  let store = await openStateStore({ sqlite: db.file });
  let engine = createFakeEngine();
  const deps = () => ({ engine, store, functions, logger: silentLogger, region: REGION, accountId: ACCOUNT });
  assert.equal(await restoreMappings(deps()), 0);
  const first = await applyConfigMappings(entries, deps());
  assert.deepEqual(first.map((r) => r.action), ['created', 'created']);
  assert.equal(first[1]!.uuid, '0f3c7a52-8d7e-4d55-9a57-6f1e3b1f9a10');
  assert.equal(engine.applied.length, 2);
  const stored = await store.mappings.list();
  assert.ok(stored.every((m) => m.spec.configManaged));
  assert.ok(stored.every((m) => m.state === 'Enabled'), JSON.stringify(stored.map((m) => m.state)));
  await store.checkpoints.put({ mappingUuid: first[1]!.uuid, shardId: shardId('shardId-0'), position: '49', status: 'open', windowState: null, updatedAt: 1 });
  await store.close();

  // Second start, same config: restore re-applies both, config changes nothing.
  store = await openStateStore({ sqlite: db.file });
  engine = createFakeEngine();
  assert.equal(await restoreMappings(deps()), 2);
  assert.deepEqual(new Set(engine.specs.keys()), new Set(first.map((r) => r.uuid)));
  const again = await applyConfigMappings(entries, deps());
  assert.deepEqual(again, first.map((r) => ({ uuid: r.uuid, action: 'unchanged' })));
  assert.equal(engine.applied.length, 2, 'unchanged entries are not re-applied');
  assert.equal((await store.checkpoints.get(first[1]!.uuid, shardId('shardId-0')))?.position, '49');

  // Changed config: updated in place (same UUID), checkpoints untouched.
  const changed = await applyConfigMappings(
    [
      { ...entries[0], BatchSize: 7 },
      { ...entries[1], BatchSize: 50 },
      { FunctionName: 'fn-b', EventSourceArn: SQS_ARN('cfg-q') },
    ],
    deps(),
  );
  assert.deepEqual(changed.map((r) => r.action), ['updated', 'updated', 'created']);
  assert.equal(changed[0]!.uuid, first[0]!.uuid);
  assert.equal((await store.mappings.get(first[0]!.uuid))?.spec.BatchSize, 7);
  assert.equal(engine.specs.get(first[1]!.uuid)?.BatchSize, 50);
  assert.equal((await store.checkpoints.get(first[1]!.uuid, shardId('shardId-0')))?.position, '49');

  // An invalid entry is the same ApiError the API returns.
  await assert.rejects(applyConfigMappings([{ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), BatchSize: 0 }], deps()), (e: unknown) => e instanceof ApiError && e.type === 'ValidationException');
  await store.close();
});

test('restore finishes a delete that a crash interrupted', async (t) => {
  const db = tempDb();
  t.after(() => db.cleanup());
  let store = await openStateStore({ sqlite: db.file });
  const engine = createFakeEngine({ hold: true });
  const cp = createControlPlane({ host: '127.0.0.1', port: 0, engine, store, functions, logger: silentLogger, region: REGION, accountId: ACCOUNT });
  const created = await cp.service.create({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('crash') });
  engine.release();
  await cp.service.idle();
  await cp.service.delete(created.spec.UUID);
  // "Crash": the engine never finishes removing; the store says Deleting.
  assert.equal((await store.mappings.get(created.spec.UUID))?.state, 'Deleting');
  await store.close().catch(() => {});
  engine.hold = false;
  engine.release();
  await cp.close().catch(() => {});

  store = await openStateStore({ sqlite: db.file });
  const engine2 = createFakeEngine();
  assert.equal(await restoreMappings({ engine: engine2, store, functions, logger: silentLogger, region: REGION, accountId: ACCOUNT }), 0);
  assert.deepEqual(engine2.removed, [mappingUuid(created.spec.UUID)]);
  assert.equal(await store.mappings.get(created.spec.UUID), undefined);
  await store.close();
});

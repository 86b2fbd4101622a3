import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckpointCoalescer } from '../../src/state/coalescer.js';
import { StateStoreError } from '../../src/core/errors.js';
import { mappingUuid, shardId } from '../../src/core/ids.js';
import type { ShardCheckpoint } from '../../src/state/store.js';

const M = mappingUuid('m1');
const cp = (s: string, position: string, m = M): ShardCheckpoint => ({ mappingUuid: m, shardId: shardId(s), position, status: 'open', windowState: null, updatedAt: 0 });

test('reads see checkpoints while their write is in flight; a failed write keeps them pending for the next flush', async () => {
  const written: ShardCheckpoint[][] = [];
  let release!: () => void;
  let fail = false;
  const c = new CheckpointCoalescer(async (batch) => {
    await new Promise<void>((r) => (release = r));
    if (fail) throw new Error('disk full');
    written.push([...batch]);
  }, 60_000);
  c.put(cp('a', '1'));
  c.put(cp('b', '1'));
  const f1 = c.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(c.peek(M, shardId('a'))?.position, '1', 'in-flight value visible');
  c.put(cp('a', '2'));
  assert.equal(c.peek(M, shardId('a'))?.position, '2', 'newer pending value wins');
  assert.deepEqual(c.pendingFor(M).map((x) => [x.shardId, x.position]).sort(), [['a', '2'], ['b', '1']]);
  release();
  await f1;
  assert.deepEqual(written[0]!.map((x) => x.position), ['1', '1']);

  fail = true;
  const f2 = c.flush();
  await new Promise((r) => setImmediate(r));
  release();
  await assert.rejects(f2, (e: unknown) => e instanceof StateStoreError && e.retriable && /disk full/.test(e.message));
  assert.equal(c.peek(M, shardId('a'))?.position, '2', 'still pending after the failure');
  fail = false;
  const f3 = c.flush();
  await new Promise((r) => setImmediate(r));
  release();
  await f3;
  assert.deepEqual(written[1]!.map((x) => [x.shardId, x.position]), [['a', '2']]);
  await c.close();
  assert.throws(() => c.put(cp('a', '3')), StateStoreError);
});

test('drop forgets a mapping pending and in flight; exclusive work runs after the write', async () => {
  const order: string[] = [];
  let release!: () => void;
  const c = new CheckpointCoalescer(async (batch) => {
    await new Promise<void>((r) => (release = r));
    order.push(`write:${batch.map((x) => x.mappingUuid).join(',')}`);
  }, 60_000);
  c.put(cp('a', '1'));
  c.put(cp('a', '1', mappingUuid('m2')));
  const f = c.flush();
  await new Promise((r) => setImmediate(r));
  c.drop(M);
  assert.equal(c.peek(M, shardId('a')), undefined);
  const ex = c.exclusive(async () => {
    order.push('delete');
  });
  release();
  await Promise.all([f, ex]);
  assert.deepEqual(order, ['write:m1,m2', 'delete']);
  await c.close();
});

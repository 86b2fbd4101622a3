/**
 * The StateStore contract, run against every implementation (memory, SQLite, PostgreSQL).
 * `open()` opens a store on the same backing storage each time (so a reopened store sees what
 * an earlier one flushed); memory stores have no `durable` backing and skip those tests.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mappingUuid, shardId } from '../../src/core/ids.js';
import { StateStoreError } from '../../src/core/errors.js';
import type { ShardCheckpoint, StateStore, StoredMapping } from '../../src/state/store.js';
import { testMapping } from '../support/mapping.js';
import { waitFor } from '../support/wait.js';
import { randomUUID } from 'node:crypto';

export interface StoreHarness {
  /** Opens a store; every call uses the same backing storage. */
  open(opts?: { flushIntervalMs?: number }): Promise<StateStore>;
  /** True when a second open() sees what the first wrote (not the in-memory store). */
  readonly durable: boolean;
  cleanup(): Promise<void>;
}

const cp = (m: string, s: string, position: string | null, extra: Partial<ShardCheckpoint> = {}): ShardCheckpoint => ({
  mappingUuid: mappingUuid(m),
  shardId: shardId(s),
  position,
  status: 'open',
  windowState: null,
  updatedAt: 1_700_000_000_123,
  ...extra,
});

export function runStoreContract(name: string, makeHarness: () => Promise<StoreHarness | { skip: string }>): void {
  describe(`StateStore contract: ${name}`, async () => {
    const h0 = await makeHarness();
    if ('skip' in h0) {
      test('state store contract', { skip: h0.skip }, () => {});
      return;
    }
    const h = h0;
    const opened: StateStore[] = [];
    const open = async (o?: { flushIntervalMs?: number }): Promise<StateStore> => {
      const s = await h.open(o);
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.close();
      await h.cleanup();
    });

    test('a put is visible to get and list before any flush', async () => {
      const s = await open({ flushIntervalMs: 60_000 });
      const m = randomUUID();
      await s.checkpoints.put(cp(m, 'shard-1', '100'));
      await s.checkpoints.put(cp(m, 'shard-0', '7', { status: 'closed', windowState: '{"a":1}' }));
      assert.equal((await s.checkpoints.get(mappingUuid(m), shardId('shard-1')))?.position, '100');
      const list = await s.checkpoints.list(mappingUuid(m));
      assert.deepEqual(list.map((c) => [c.shardId, c.position, c.status, c.windowState]), [
        ['shard-0', '7', 'closed', '{"a":1}'],
        ['shard-1', '100', 'open', null],
      ]);
      assert.equal(await s.checkpoints.get(mappingUuid(m), shardId('nope')), undefined);
    });

    test('flush makes the latest checkpoint per shard durable; fields round-trip exactly', { skip: !h.durable }, async () => {
      const s = await open({ flushIntervalMs: 60_000 });
      const m = randomUUID();
      for (let i = 0; i < 50; i++) await s.checkpoints.put(cp(m, 'sh', String(i)));
      await s.checkpoints.put(cp(m, 'fin', null, { status: 'finished', windowState: '{"state":{"n":3}}', updatedAt: 42 }));
      await s.checkpoints.flush();
      const peer = await open();
      assert.deepEqual(await peer.checkpoints.get(mappingUuid(m), shardId('sh')), cp(m, 'sh', '49'));
      assert.deepEqual(await peer.checkpoints.get(mappingUuid(m), shardId('fin')), cp(m, 'fin', null, { status: 'finished', windowState: '{"state":{"n":3}}', updatedAt: 42 }));
    });

    test('unflushed checkpoints are written by the timer within flushIntervalMs', { skip: !h.durable }, async () => {
      const s = await open({ flushIntervalMs: 20 });
      const peer = await open({ flushIntervalMs: 60_000 });
      const m = randomUUID();
      await s.checkpoints.put(cp(m, 'a', '1'));
      await s.checkpoints.put(cp(m, 'a', '2'));
      await waitFor(async () => (await peer.checkpoints.get(mappingUuid(m), shardId('a')))?.position === '2', { timeoutMs: 5000 });
    });

    test('puts are coalesced: no write happens before the interval', { skip: !h.durable }, async () => {
      const s = await open({ flushIntervalMs: 60_000 });
      const peer = await open({ flushIntervalMs: 60_000 });
      const m = randomUUID();
      await s.checkpoints.put(cp(m, 'a', '1'));
      assert.equal(await peer.checkpoints.get(mappingUuid(m), shardId('a')), undefined);
      await s.checkpoints.flush();
      assert.equal((await peer.checkpoints.get(mappingUuid(m), shardId('a')))?.position, '1');
    });

    test('list is per mapping; deleteMapping removes pending and written checkpoints of that mapping only', async () => {
      const s = await open({ flushIntervalMs: 60_000 });
      const m1 = randomUUID();
      const m2 = randomUUID();
      await s.checkpoints.put(cp(m1, 'x', '1'));
      await s.checkpoints.put(cp(m2, 'x', '9'));
      await s.checkpoints.flush();
      await s.checkpoints.put(cp(m1, 'y', '2'));
      await s.checkpoints.deleteMapping(mappingUuid(m1));
      assert.deepEqual(await s.checkpoints.list(mappingUuid(m1)), []);
      await s.checkpoints.flush();
      assert.deepEqual(await s.checkpoints.list(mappingUuid(m1)), []);
      assert.deepEqual((await s.checkpoints.list(mappingUuid(m2))).map((c) => c.position), ['9']);
      if (h.durable) {
        const peer = await open();
        assert.deepEqual(await peer.checkpoints.list(mappingUuid(m1)), []);
        assert.equal((await peer.checkpoints.get(mappingUuid(m2), shardId('x')))?.position, '9');
      }
    });

    test('close flushes pending checkpoints, is idempotent, and later calls reject', async () => {
      const s = await h.open({ flushIntervalMs: 60_000 });
      const m = randomUUID();
      await s.checkpoints.put(cp(m, 'z', '77'));
      const c1 = s.close();
      const c2 = s.close();
      await Promise.all([c1, c2]);
      await s.close();
      await assert.rejects(s.checkpoints.put(cp(m, 'z', '78')), StateStoreError);
      await assert.rejects(s.mappings.list(), StateStoreError);
      if (h.durable) {
        const peer = await open();
        assert.equal((await peer.checkpoints.get(mappingUuid(m), shardId('z')))?.position, '77');
      }
    });

    test('mappings: put, get, list, overwrite and delete round-trip the whole StoredMapping', async () => {
      const s = await open();
      const spec = testMapping('kinesis', {
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        FilterCriteria: { Filters: [{ Pattern: '{"data":{"a":[1]}}' }] },
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:dlq' } },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const stored: StoredMapping = { spec, state: 'Enabled', stateTransitionReason: 'User action', lastProcessingResult: 'No records processed' };
      await s.mappings.put(stored);
      const got = await s.mappings.get(spec.UUID);
      assert.deepEqual(got, stored);
      assert.ok(Object.isFrozen(got!.spec));
      assert.ok((await s.mappings.list()).some((m) => m.spec.UUID === spec.UUID));
      const updated: StoredMapping = { ...stored, spec: { ...spec, BatchSize: 7 }, state: 'Disabled' };
      await s.mappings.put(updated);
      assert.deepEqual(await s.mappings.get(spec.UUID), updated);
      assert.equal((await s.mappings.list()).filter((m) => m.spec.UUID === spec.UUID).length, 1);
      if (h.durable) {
        const peer = await open();
        assert.deepEqual(await peer.mappings.get(spec.UUID), updated);
      }
      await s.mappings.delete(spec.UUID);
      assert.equal(await s.mappings.get(spec.UUID), undefined);
      assert.ok(!(await s.mappings.list()).some((m) => m.spec.UUID === spec.UUID));
    });

    test('many shards flushed together land in one write', async () => {
      const s = await open({ flushIntervalMs: 60_000 });
      const m = randomUUID();
      for (let i = 0; i < 500; i++) await s.checkpoints.put(cp(m, `shard-${String(i).padStart(4, '0')}`, String(i * 10)));
      await s.checkpoints.flush();
      const list = await (h.durable ? await open() : s).checkpoints.list(mappingUuid(m));
      assert.equal(list.length, 500);
      assert.equal(list[499]?.position, '4990');
    });
  });
}

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PAYLOAD_LIMIT_BYTES } from '../../src/batching/payload-size.js';
import type { FailureInfo } from '../../src/pipeline/failure-route.js';
import type { PlanStep } from '../../src/failure/batch-plan.js';
import { rec } from '../batching/records.js';
import { fnError, n, ok, settle } from './fakes.js';
import { harness } from './harness.js';
import { createRng } from '../batching/prng.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const recs = (a: number, b: number, key = (i: number) => 'k') => range(a, b).map((i) => rec(i, key(i)));

describe('shard pipeline, ordered (Kinesis/DynamoDB/Kafka)', () => {
  test('BatchSize batches one after another; checkpoint after each success', async () => {
    const h = harness('kinesis', { BatchSize: 100 });
    await h.pipeline.push(recs(0, 250));
    assert.equal(h.runtime.pending.length, 1);
    assert.deepEqual(h.runtime.pending[0]!.ns, range(0, 100));
    assert.equal(h.runtime.pending[0]!.opts.payloadBytes, Buffer.byteLength(JSON.stringify(h.runtime.pending[0]!.event)));
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [99]);
    assert.deepEqual(h.runtime.pending[0]!.ns, range(100, 200));
    h.runtime.answer(ok());
    await settle();
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [99, 199, 249]);
    assert.equal(h.pipeline.pending, 0);
    assert.equal(h.seen.invoked.length, 3);
    assert.equal(h.seen.polled.length, 1);
    assert.deepEqual(h.seen.polled[0], { mapping: h.mapping.UUID, shard: 'shard-0', count: 250, bytes: recs(0, 250).reduce((s, r) => s + r.payloadBytes, 0) });
    assert.deepEqual(h.seen.checkpointed.map((e) => e.position), ['00000099', '00000199', '00000249']);
    assert.deepEqual(h.seen.inflight.map((e) => e.delta), [1, -1, 1, -1, 1, -1]);
    await h.pipeline.drained();
  });

  test('a failed batch is retried in place after backoff; nothing later is invoked meanwhile', async () => {
    const h = harness('kinesis', { BatchSize: 10 });
    await h.pipeline.push(recs(0, 15));
    h.runtime.answer(fnError());
    await settle();
    assert.equal(h.runtime.pending.length, 0);
    assert.deepEqual(h.committer.checkpoints, []);
    h.clock.advance(999);
    await settle();
    assert.equal(h.runtime.pending.length, 0);
    h.clock.advance(1);
    await settle();
    assert.deepEqual(h.runtime.pending[0]!.ns, range(0, 10));
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [9]);
    assert.deepEqual(h.runtime.pending[0]!.ns, range(10, 15));
    assert.deepEqual(h.seen.invoked.map((e) => e.ok), [false, true]);
  });

  test('MaximumRetryAttempts exhausted: the batch goes to OnFailure, then the checkpoint passes it', async () => {
    const delivered: FailureInfo[] = [];
    const h = harness('kinesis', { BatchSize: 5, MaximumRetryAttempts: 1 }, {
      onFailure: { destination: 'arn:aws:sqs:us-east-1:000000000000:dlq', deliver: async (i) => void delivered.push(i) },
    });
    await h.pipeline.push(recs(0, 5));
    h.runtime.answer(fnError());
    await settle();
    h.clock.advance(1000);
    await settle();
    h.runtime.answer(fnError());
    await settle();
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.condition, 'RetryAttemptsExhausted');
    assert.equal(delivered[0]!.attempts, 2);
    assert.deepEqual(delivered[0]!.records.map(n), range(0, 5));
    assert.equal(delivered[0]!.lastError?.errorType, 'Error');
    assert.equal(delivered[0]!.requestId, h.runtime.calls[1]!.opts.requestId);
    assert.deepEqual(h.committer.checkpoints, [4]);
    assert.equal(h.seen.destinationDelivered[0]?.count, 5);
  });

  test('without a destination, given-up records are dropped (DroppedEventCount) and the shard moves on', async () => {
    const h = harness('dynamodb', { BatchSize: 5, MaximumRetryAttempts: 0 });
    await h.pipeline.push(recs(0, 3));
    h.runtime.answer(fnError());
    await settle();
    assert.deepEqual(h.seen.dropped, [{ mapping: h.mapping.UUID, shard: 'shard-0', count: 3, reason: 'RetryAttemptsExhausted' }]);
    assert.deepEqual(h.committer.checkpoints, [2]);
  });

  test('a failing OnFailure delivery is retried and the checkpoint waits for it', async () => {
    let failures = 2;
    const h = harness('kinesis', { BatchSize: 5, MaximumRetryAttempts: 0 }, {
      onFailure: {
        destination: 'arn:aws:sns:us-east-1:000000000000:t',
        deliver: async () => {
          if (failures-- > 0) throw new Error('sns down');
        },
      },
    });
    await h.pipeline.push(recs(0, 2));
    h.runtime.answer(fnError());
    await settle();
    assert.deepEqual(h.committer.checkpoints, []);
    h.clock.advance(100);
    await settle();
    assert.deepEqual(h.committer.checkpoints, []);
    h.clock.advance(100);
    await settle();
    assert.deepEqual(h.committer.checkpoints, [1]);
  });

  test('a single record over 6 MB is failed as that record (MaximumPayloadSizeExceeded), never invoked, shard not stalled', async () => {
    const delivered: FailureInfo[] = [];
    const h = harness('kafka', { BatchSize: 10, batchingWindowMs: 0 }, {
      onFailure: { destination: 'kafka://dlq', deliver: async (i) => void delivered.push(i) },
    });
    await h.pipeline.push([rec(0), rec(1, 'k', { bytes: PAYLOAD_LIMIT_BYTES }), rec(2)]);
    assert.deepEqual(h.runtime.pending[0]!.ns, [0]);
    h.runtime.answer(ok());
    await settle();
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.condition, 'MaximumPayloadSizeExceeded');
    assert.equal(delivered[0]!.attempts, 0);
    assert.deepEqual(delivered[0]!.records.map(n), [1]);
    assert.deepEqual(h.runtime.pending[0]!.ns, [2]);
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [0, 1, 2]);
    assert.equal(h.runtime.calls.length, 2);
  });

  test('ReportBatchItemFailures: the checkpoint stops just before the lowest reported record, which is retried from there', async () => {
    const h = harness('kinesis', { BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    await h.pipeline.push(recs(0, 5));
    h.runtime.answer(ok({ batchItemFailures: [{ itemIdentifier: '00000004' }, { itemIdentifier: '00000002' }] }));
    await settle();
    assert.deepEqual(h.committer.checkpoints, [1]);
    h.clock.advance(1000);
    await settle();
    assert.deepEqual(h.runtime.pending[0]!.ns, [2, 3, 4]);
    h.runtime.answer(ok({ batchItemFailures: [] }));
    await settle();
    assert.deepEqual(h.committer.checkpoints, [1, 4]);
  });

  test('BisectBatchOnFunctionError isolates a poison record; records before it are checkpointed', async () => {
    const delivered: FailureInfo[] = [];
    const h = harness('kinesis', { BatchSize: 4, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 0 }, {
      onFailure: { destination: 'arn:aws:sqs:us-east-1:000000000000:dlq', deliver: async (i) => void delivered.push(i) },
    });
    h.runtime.respond = (ns) => (ns.includes(1) ? fnError() : ok());
    await h.pipeline.push(recs(0, 4));
    for (let i = 0; i < 10; i++) {
      h.clock.advance(1000);
      await settle();
    }
    assert.deepEqual(h.runtime.calls.map((c) => c.ns), [[0, 1, 2, 3], [0, 1], [0], [1], [2, 3]]);
    assert.deepEqual(delivered.map((d) => d.records.map(n)), [[1]]);
    assert.equal(h.committer.checkpoints.at(-1), 3);
  });

  test('ParallelizationFactor 3: batches finish out of order, the checkpoint covers only the contiguous prefix', async () => {
    const h = harness('kinesis', { BatchSize: 2, ParallelizationFactor: 3 });
    await h.pipeline.push(recs(0, 6, (i) => `key-${i}`));
    assert.deepEqual(h.runtime.pending.map((c) => c.ns), [[0, 1], [2, 3], [4, 5]]);
    h.runtime.answer(ok(), 2);
    await settle();
    h.runtime.answer(ok(), 1);
    await settle();
    assert.deepEqual(h.committer.checkpoints, []);
    h.runtime.answer(ok(), 0);
    await settle();
    assert.deepEqual(h.committer.checkpoints, [5]);
  });

  test('filtered-out records count as finished and are checkpointed over', async () => {
    const h = harness('kinesis', { BatchSize: 10 }, { accept: (r) => n(r) % 2 === 0 });
    await h.pipeline.push(recs(0, 6));
    assert.deepEqual(h.seen.filtered.map((e) => e.count), [3]);
    assert.deepEqual(h.runtime.pending[0]!.ns, [0, 2, 4]);
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [5]);
    assert.equal(h.pipeline.pending, 0);
  });

  test('a failed checkpoint write is retried; pending drops only after it is written', async () => {
    const h = harness('kinesis', { BatchSize: 10 });
    h.committer.failCheckpoints = 1;
    await h.pipeline.push(recs(0, 3));
    h.runtime.answer(ok());
    await settle();
    assert.equal(h.pipeline.pending, 3);
    h.clock.advance(100);
    await settle();
    assert.deepEqual(h.committer.checkpoints, [2]);
    assert.equal(h.pipeline.pending, 0);
  });

  test('a missing function is reported as a PROBLEM and retried without dropping records', async () => {
    let present = false;
    const h0 = harness('kinesis', { BatchSize: 10, MaximumRetryAttempts: 0 });
    const h = harness('kinesis', { BatchSize: 10, MaximumRetryAttempts: 0 }, { runtime: () => (present ? h0.runtime : undefined) });
    h0.runtime.respond = () => ok();
    await h.pipeline.push(recs(0, 2));
    await settle();
    assert.match(String(h.problems.at(-1)), /^Function not found: arn:aws:lambda:/);
    assert.deepEqual(h.seen.dropped, []);
    present = true;
    h.clock.advance(1000);
    await settle();
    assert.deepEqual(h.committer.checkpoints, [1]);
    assert.equal(h.problems.at(-1), null);
  });

  test('ParallelizationFactor 10 with random keys and random completion order over many seeds: per-key order, monotonic contiguous checkpoints', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = createRng(seed);
      const keys = 1 + rng.int(25);
      const h = harness('kinesis', { BatchSize: 1 + rng.int(8), ParallelizationFactor: 10 });
      const total = 300;
      const all = recs(0, total, () => `key-${rng.int(keys)}`);
      const keyOf = new Map(all.map((r) => [n(r), r.partitionKey]));
      const lastInvoked = new Map<string, number>();
      let pushed = 0;
      let seen = 0;
      while (h.committer.checkpoints.at(-1) !== total - 1) {
        if (pushed < total && rng.next() < 0.3) {
          const k = Math.min(total - pushed, 1 + rng.int(40));
          await h.pipeline.push(all.slice(pushed, pushed + k));
          pushed += k;
        }
        for (; seen < h.runtime.calls.length; seen++) {
          const keysInFlight = new Set<string>();
          for (const c of h.runtime.pending) for (const x of c.ns) keysInFlight.add(`${c === h.runtime.calls[seen] ? 'self' : 'other'}:${keyOf.get(x)}`);
          for (const x of h.runtime.calls[seen]!.ns) {
            const key = keyOf.get(x)!;
            assert.ok(!keysInFlight.has(`other:${key}`), `seed ${seed}: key ${key} in two in-flight batches`);
            assert.ok(x > (lastInvoked.get(key) ?? -1), `seed ${seed}: key ${key} out of order`);
            lastInvoked.set(key, x);
          }
        }
        assert.ok(h.runtime.pending.length <= 10);
        if (h.runtime.pending.length > 0 && rng.next() < 0.6) h.runtime.answer(ok(), rng.int(h.runtime.pending.length));
        await settle(2);
      }
      const cps = h.committer.checkpoints;
      for (let i = 1; i < cps.length; i++) assert.ok(cps[i]! > cps[i - 1]!, `seed ${seed}: checkpoint went back`);
      assert.equal(h.pipeline.pending, 0);
    }
  });
});

describe('shard pipeline, internal failures', () => {
  test('a batch whose plan throws is reported and run again after backoff, never skipped', async () => {
    let throws = 1;
    const h = harness('kinesis', { BatchSize: 5 }, {
      plan: (records) => {
        if (throws-- > 0) throw new Error('plan bug');
        const steps: PlanStep[] = [
          { kind: 'invoke', start: 0, end: records.length, attempt: 1 },
          { kind: 'finished', start: 0, end: records.length },
        ];
        return { next: () => steps.shift() ?? { kind: 'done' }, report: () => {} };
      },
    });
    await h.pipeline.push(recs(0, 2));
    await settle();
    assert.equal(h.problems.at(-1), 'Internal error: plan bug');
    assert.equal(h.runtime.calls.length, 0);
    h.clock.advance(100);
    await settle();
    h.runtime.answer(ok());
    await settle();
    assert.deepEqual(h.committer.checkpoints, [1]);
  });
});

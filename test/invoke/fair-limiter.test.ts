import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError, SluiceError } from '../../src/core/errors.js';
import { createFairLimiter } from '../../src/invoke/fair-limiter.js';
import { createInProcessRuntime } from '../../src/invoke/in-process-runtime.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('fair limiter', () => {
  test('never holds more than the limit; tryAcquire fails when full', () => {
    const l = createFairLimiter({ limit: 2, maxWaiting: 10 });
    assert.equal(l.tryAcquire(), true);
    assert.equal(l.tryAcquire(), true);
    assert.equal(l.tryAcquire(), false);
    assert.equal(l.active, 2);
    l.release();
    assert.equal(l.active, 1);
    assert.equal(l.tryAcquire(), true);
  });

  test('waiters are served round-robin across keys, FIFO within a key', async () => {
    const l = createFairLimiter({ limit: 1, maxWaiting: 100 });
    assert.equal(l.tryAcquire(), true);
    const order: string[] = [];
    const wait = (key: string, id: string): Promise<void> => l.acquire(key, undefined).then(() => void order.push(id));
    const all = [
      ...['a1', 'a2', 'a3', 'a4'].map((id) => wait('A', id)),
      wait('B', 'b1'),
      wait('C', 'c1'),
      wait('B', 'b2'),
    ];
    assert.equal(l.waiting, 7);
    // A busy key cannot jump ahead: tryAcquire refuses while others wait.
    l.release();
    assert.equal(l.tryAcquire(), false);
    for (let i = 0; i < 7; i++) {
      await flush();
      if (i < 6) l.release();
    }
    await Promise.all(all);
    assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    assert.equal(l.active, 1);
    assert.equal(l.waiting, 0);
  });

  test('the waiting queue is bounded', async () => {
    const l = createFairLimiter({ limit: 1, maxWaiting: 2 });
    await l.acquire('k');
    const w1 = l.acquire('k');
    const w2 = l.acquire('j');
    await assert.rejects(l.acquire('k'), (e: unknown) => e instanceof SluiceError && e.code === 'INVOKE_QUEUE_FULL' && e.retriable);
    l.release();
    await w1;
    l.release();
    await w2;
    assert.equal(l.active, 1);
  });

  test('an aborted waiter leaves the queue; the slot goes to the next', async () => {
    const l = createFairLimiter({ limit: 1, maxWaiting: 10 });
    assert.ok(l.tryAcquire());
    const ac = new AbortController();
    const aborted = l.acquire('A', ac.signal);
    const next = l.acquire('B');
    ac.abort();
    await assert.rejects(aborted, AbortedError);
    assert.equal(l.waiting, 1);
    l.release();
    await next;
    assert.equal(l.active, 1);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(l.acquire('A', pre.signal), AbortedError);
  });

  test('close rejects waiters and later acquires; idle resolves when all slots return', async () => {
    const l = createFairLimiter({ limit: 1, maxWaiting: 10 });
    assert.ok(l.tryAcquire());
    const w = l.acquire('A');
    let idle = false;
    const idleP = l.idle().then(() => (idle = true));
    const err = new Error('closed');
    l.close(err);
    await assert.rejects(w, (e) => e === err);
    await assert.rejects(l.acquire('A'), (e) => e === err);
    assert.equal(l.tryAcquire(), false);
    await flush();
    assert.equal(idle, false);
    l.release();
    await idleP;
    assert.equal(idle, true);
  });
});

describe('concurrency through a runtime', () => {
  test('in flight never exceeds concurrency; mappings share it round-robin', async () => {
    let running = 0;
    let max = 0;
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const rt = createInProcessRuntime(
      'fair',
      async (event: { id: string }) => {
        running++;
        max = Math.max(max, running);
        order.push(event.id);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return null;
      },
      { concurrency: 2, timeoutSeconds: 30 },
    );
    const never = new AbortController().signal;
    const inv = (key: string, id: string) => rt.invoke({ id }, { signal: never, payloadBytes: 0, requestId: id, mappingKey: key });
    const ps = [inv('m1', 'm1-1'), inv('m1', 'm1-2'), inv('m1', 'm1-3'), inv('m1', 'm1-4'), inv('m2', 'm2-1'), inv('m2', 'm2-2')];
    await flush();
    assert.deepEqual(order, ['m1-1', 'm1-2']);
    while (order.length < 6 || releases.length > 0) {
      const r = releases.shift();
      if (r === undefined) {
        await flush();
        continue;
      }
      r();
      await flush();
    }
    const rs = await Promise.all(ps);
    assert.ok(rs.every((r) => r.kind === 'success'));
    assert.equal(max, 2);
    assert.deepEqual(order, ['m1-1', 'm1-2', 'm1-3', 'm2-1', 'm1-4', 'm2-2']);
    await rt.close();
  });

  test('too many waiting invokes answer a throttled Sluice.TooManyPendingInvokes', async () => {
    const gate: (() => void)[] = [];
    const rt = createInProcessRuntime('busy', () => new Promise<void>((r) => gate.push(r)), { concurrency: 1, maxWaiting: 1 });
    const never = new AbortController().signal;
    const o = (id: string) => ({ signal: never, payloadBytes: 0, requestId: id });
    const p1 = rt.invoke({}, o('1'));
    const p2 = rt.invoke({}, o('2'));
    const r3 = await rt.invoke({}, o('3'));
    assert.equal(r3.kind, 'function-error');
    if (r3.kind === 'function-error') {
      assert.equal(r3.errorType, 'Sluice.TooManyPendingInvokes');
      assert.equal(r3.throttled, true);
      assert.equal(r3.statusCode, 429);
    }
    gate.shift()!();
    await p1;
    await flush();
    gate.shift()!();
    assert.equal((await p2).kind, 'success');
    await rt.close();
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Piscina } from 'piscina';
import { createThreadRecycler, type TaskSlot } from '../../src/invoke/thread-recycler.js';

const worker = (id: number) => ({ id, currentUsage: 0, terminating: false, destroyed: false });
const task = (slot: TaskSlot) => ({ [Piscina.queueOptionsSymbol]: slot });
const slot = (): TaskSlot => ({ threadId: -1, abandoned: false, counted: false });

test('least busy thread, at most perThread tasks, records the thread of each task', () => {
  const killed: number[] = [];
  const r = createThreadRecycler({ perThread: 2, terminate: (id) => killed.push(id) });
  const ws = [worker(1), worker(2)];
  const s = [slot(), slot(), slot(), slot(), slot()];
  assert.equal(r.balancer(task(s[0]!), ws)?.id, 1);
  assert.equal(r.balancer(task(s[1]!), ws)?.id, 2);
  assert.equal(r.balancer(task(s[2]!), ws)?.id, 1);
  assert.equal(r.balancer(task(s[3]!), ws)?.id, 2);
  assert.equal(r.balancer(task(s[4]!), ws), null);
  assert.deepEqual(s.map((x) => x.threadId), [1, 2, 1, 2, -1]);
  r.settled(s[0]!);
  assert.equal(r.balancer(task(s[4]!), ws)?.id, 1);
  assert.deepEqual(killed, []);
});

test('a thread with an abandoned task drains: no new tasks, terminated once only abandoned ones remain', () => {
  const killed: number[] = [];
  const r = createThreadRecycler({ perThread: 3, terminate: (id) => killed.push(id) });
  const ws = [worker(7), worker(8)];
  const hung = slot();
  const other = slot();
  assert.equal(r.balancer(task(hung), [ws[0]!])?.id, 7);
  assert.equal(r.balancer(task(other), [ws[0]!])?.id, 7);
  r.abandon(hung);
  assert.equal(r.draining, 1);
  assert.deepEqual(killed, []);
  // Thread 7 takes nothing new.
  assert.equal(r.balancer(task(slot()), [ws[0]!]), null);
  assert.equal(r.balancer(task(slot()), ws)?.id, 8);
  r.settled(other);
  assert.deepEqual(killed, [7]);
  // Until piscina drops it, the terminated thread stays excluded.
  assert.equal(r.balancer(task(slot()), [ws[0]!]), null);
  r.settled(hung); // its promise rejects when the thread dies
  assert.equal(r.draining, 0);
});

test('abandoning a task still queued does not drain any thread', () => {
  const killed: number[] = [];
  const r = createThreadRecycler({ perThread: 1, terminate: (id) => killed.push(id) });
  const queued = slot();
  r.abandon(queued);
  assert.equal(r.balancer(task(queued), [worker(3)])?.id, 3);
  r.settled(queued);
  assert.equal(r.draining, 0);
  assert.deepEqual(killed, []);
  assert.equal(r.balancer(task(slot()), [worker(3)])?.id, 3);
});

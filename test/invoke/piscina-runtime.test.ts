import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbortedError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createPiscinaRuntime, type HandlerFunctionSpec } from '../../src/invoke/piscina-runtime.js';
import type { FunctionRuntime, InvokeResult } from '../../src/invoke/runtime.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/handlers/${name}`, import.meta.url));
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:behaviours';
const never = new AbortController().signal;
let seq = 0;

function spec(over: Partial<HandlerFunctionSpec> = {}): HandlerFunctionSpec {
  return {
    kind: 'handler',
    name: 'behaviours',
    modulePath: fixture('behaviours.mjs'),
    exportName: 'handler',
    timeoutSeconds: 1,
    concurrency: 2,
    environment: { SLUICE_TEST_VAR: 'from-config' },
    memorySizeMb: 256,
    ...over,
  };
}

function make(over: Partial<HandlerFunctionSpec> = {}, threads?: number, heapLimitMb?: number): FunctionRuntime {
  return createPiscinaRuntime(spec(over), {
    functionArn: ARN,
    region: 'eu-west-1',
    logger: silentLogger,
    ...(threads === undefined ? {} : { threads }),
    ...(heapLimitMb === undefined ? {} : { heapLimitMb }),
  });
}

const call = (rt: FunctionRuntime, event: unknown, signal = never): Promise<InvokeResult> =>
  rt.invoke(event, { signal, payloadBytes: 0, requestId: `req-${++seq}` });

function assertError(r: InvokeResult, errorType: string, message: string | RegExp): void {
  assert.equal(r.kind, 'function-error', JSON.stringify(r));
  if (r.kind !== 'function-error') return;
  assert.equal(r.errorType, errorType);
  if (typeof message === 'string') assert.equal(r.errorMessage, message);
  else assert.match(r.errorMessage, message);
  assert.equal(r.statusCode, 200);
  assert.equal(r.throttled, false);
}

async function assertStillWorks(rt: FunctionRuntime): Promise<void> {
  const r = await call(rt, { action: 'ok', value: 'after' });
  assert.deepEqual(r.kind === 'success' ? r.payload : r, { echo: 'after' });
}

describe('piscina runtime: one pool through every failure', () => {
  let rt: FunctionRuntime;
  before(() => {
    rt = make();
  });
  after(() => rt.close());

  test('async success: payload is the JSON-normalised result', async () => {
    const r = await call(rt, { action: 'ok', value: { a: [1, 'x'] } });
    assert.equal(r.kind, 'success');
    assert.deepEqual(r.kind === 'success' && r.payload, { echo: { a: [1, 'x'] } });
    assert.ok(r.durationMs >= 0);
  });

  test('undefined result answers null; non-JSON values are dropped like JSON.stringify does', async () => {
    const u = await call(rt, { action: 'undefined' });
    assert.deepEqual(u.kind === 'success' ? u.payload : u, null);
    const f = await call(rt, { action: 'function' });
    assert.deepEqual(f.kind === 'success' ? f.payload : f, { d: '1970-01-01T00:00:00.000Z' });
  });

  test('context carries Lambda fields', async () => {
    const r = await rt.invoke({ action: 'context' }, { signal: never, payloadBytes: 0, requestId: 'ctx-req-1' });
    assert.equal(r.kind, 'success');
    const p = (r.kind === 'success' ? r.payload : {}) as Record<string, unknown>;
    assert.equal(p.awsRequestId, 'ctx-req-1');
    assert.equal(p.functionName, 'behaviours');
    assert.equal(p.functionVersion, '$LATEST');
    assert.equal(p.invokedFunctionArn, ARN);
    assert.equal(p.memoryLimitInMB, '256');
    assert.equal(p.logGroupName, '/aws/lambda/behaviours');
    assert.match(String(p.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(p.callbackWaitsForEmptyEventLoop, true);
    assert.ok(typeof p.remaining === 'number' && p.remaining > 0 && p.remaining <= 1000, String(p.remaining));
  });

  test('environment variables from the config are visible', async () => {
    const r = await call(rt, { action: 'env' });
    assert.deepEqual(r.kind === 'success' ? r.payload : r, { value: 'from-config', fn: 'behaviours', region: 'eu-west-1' });
  });

  test('throw, reject, non-Error throw and custom error names', async () => {
    assertError(await call(rt, { action: 'throw' }), 'TypeError', 'bad input');
    assertError(await call(rt, { action: 'reject' }), 'RangeError', 'out of range');
    assertError(await call(rt, { action: 'throw-string' }), 'string', 'just a string');
    assertError(await call(rt, { action: 'custom-error' }), 'MyError', 'custom');
    await assertStillWorks(rt);
  });

  test('a result JSON cannot represent is Runtime.JSONStringifyError', async () => {
    assertError(await call(rt, { action: 'bigint' }), 'Runtime.JSONStringifyError', 'Unable to stringify response body');
    await assertStillWorks(rt);
  });

  test('process.exit(n) is Runtime.ExitError with exit status n; the pool replaces the thread', async () => {
    const r = await rt.invoke({ action: 'exit', code: 7 }, { signal: never, payloadBytes: 0, requestId: 'exit-req' });
    assertError(r, 'Runtime.ExitError', 'RequestId: exit-req Error: Runtime exited with error: exit status 7');
    await assertStillWorks(rt);
    await assertStillWorks(rt);
  });

  test('an uncaught exception (throw in setImmediate) is exit status 129', async () => {
    assertError(await call(rt, { action: 'crash' }), 'Runtime.ExitError', /Error: Runtime exited with error: exit status 129$/);
    await assertStillWorks(rt);
  });

  test('an unhandled rejection is exit status 128', async () => {
    assertError(await call(rt, { action: 'unhandled' }), 'Runtime.ExitError', /Error: Runtime exited with error: exit status 128$/);
    await assertStillWorks(rt);
  });

  test('a handler that never resolves times out with Sandbox.Timedout', async () => {
    const r = await rt.invoke({ action: 'hang' }, { signal: never, payloadBytes: 0, requestId: 'hang-req' });
    assertError(r, 'Sandbox.Timedout', 'RequestId: hang-req Error: Task timed out after 1.00 seconds');
    assert.ok(r.durationMs >= 990 && r.durationMs < 3000, String(r.durationMs));
    await assertStillWorks(rt);
  });

  test('a handler that blocks its thread (busy loop) times out and the thread is replaced', async () => {
    assertError(await call(rt, { action: 'spin' }), 'Sandbox.Timedout', /Task timed out after 1\.00 seconds$/);
    await assertStillWorks(rt);
    await assertStillWorks(rt);
  });

  test('an event that cannot be cloned is reported, not thrown', async () => {
    const r = await call(rt, { action: 'ok', value: () => 1 });
    assert.equal(r.kind === 'function-error' && r.errorType, 'Sluice.InvalidEvent');
    await assertStillWorks(rt);
  });

  test('the caller aborting rejects with AbortedError', async () => {
    const ac = new AbortController();
    const p = call(rt, { action: 'hang' }, ac.signal);
    ac.abort();
    await assert.rejects(p, AbortedError);
    await assert.rejects(call(rt, { action: 'ok' }, ac.signal), AbortedError);
    await assertStillWorks(rt);
  });
});

describe('piscina runtime: several invokes per thread', () => {
  test('concurrency 4 on one thread runs 4 invokes at once', async (t) => {
    const rt = make({ concurrency: 4 }, 1);
    t.after(() => rt.close());
    const rs = await Promise.all([1, 2, 3, 4].map(() => call(rt, { action: 'inflight', ms: 600 })));
    const max = Math.max(...rs.map((r) => (r.kind === 'success' ? (r.payload as { maxRunning: number }).maxRunning : 0)));
    assert.equal(max, 4);
  });

  test('the only thread, blocked by a busy loop, is replaced after the timeout', async (t) => {
    const rt = make({ concurrency: 1 }, 1);
    t.after(() => rt.close());
    assertError(await call(rt, { action: 'spin' }), 'Sandbox.Timedout', /Task timed out after 1\.00 seconds$/);
    await assertStillWorks(rt);
  });

  test('a timeout does not kill the other invokes sharing its thread', async (t) => {
    const rt = make({ concurrency: 2, timeoutSeconds: 3 }, 1);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-gate-'));
    t.after(async () => {
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const gate = join(dir, 'open');
    const hung = call(rt, { action: 'hang' });
    // Same thread, started later so that it outlives the hung invoke's deadline.
    await assertStillWorks(rt);
    assert.equal((await call(rt, { action: 'slow', ms: 1000 })).kind, 'success');
    const waiting = call(rt, { action: 'wait-file', path: gate });
    assertError(await hung, 'Sandbox.Timedout', /Task timed out after 3\.00 seconds$/);
    writeFileSync(gate, 'x');
    const r = await waiting;
    assert.deepEqual(r.kind === 'success' ? r.payload : r, { sawFile: true });
    await assertStillWorks(rt);
  });
});

describe('piscina runtime: module problems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-handlers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('callback-style handlers, callback errors and nested export names', async (t) => {
    const cb = make({ modulePath: fixture('callback.mjs'), exportName: 'handler' });
    const str = make({ modulePath: fixture('callback.mjs'), exportName: 'stringError', concurrency: 1 });
    const sync = make({ modulePath: fixture('callback.mjs'), exportName: 'syncValue', concurrency: 1 });
    const nested = make({ modulePath: fixture('callback.mjs'), exportName: 'nested.inner', concurrency: 1 });
    t.after(() => Promise.all([cb.close(), str.close(), sync.close(), nested.close()]));
    const ok = await cb.invoke({ value: 5 }, { signal: never, payloadBytes: 0, requestId: 'cb-1' });
    assert.deepEqual(ok.kind === 'success' ? ok.payload : ok, { viaCallback: 5, requestId: 'cb-1' });
    assertError(await call(cb, { fail: true }), 'Error', 'callback failure');
    assertError(await call(str, {}), 'string', 'plain string error');
    const s = await call(sync, {});
    assert.deepEqual(s.kind === 'success' ? s.payload : s, null);
    const n = await call(nested, {});
    assert.deepEqual(n.kind === 'success' ? n.payload : n, { nested: true });
  });

  test('missing module, syntax error, missing export, non-function export', async (t) => {
    const bad = join(dir, 'broken.mjs');
    writeFileSync(bad, 'export const handler = async ( => {};\n');
    const missing = make({ modulePath: join(dir, 'nope.mjs'), concurrency: 1 });
    const syntax = make({ modulePath: bad, concurrency: 1 });
    const noExport = make({ exportName: 'doesNotExist', concurrency: 1 });
    const notFn = make({ modulePath: fixture('not-a-function.mjs'), concurrency: 1 });
    t.after(() => Promise.all([missing.close(), syntax.close(), noExport.close(), notFn.close()]));
    assertError(await call(missing, {}), 'Runtime.ImportModuleError', /Cannot find module .*nope\.mjs/);
    assertError(await call(syntax, {}), 'Runtime.UserCodeSyntaxError', /^SyntaxError: /);
    assertError(await call(noExport, {}), 'Runtime.HandlerNotFound', 'behaviours.doesNotExist is undefined or not exported');
    assertError(await call(notFn, {}), 'Runtime.HandlerNotFound', 'not-a-function.handler is not a function');
    // Still answers (the same error) on the next invoke.
    assertError(await call(noExport, {}), 'Runtime.HandlerNotFound', 'behaviours.doesNotExist is undefined or not exported');
  });

  test('a heap above its limit is Runtime.OutOfMemory; the pool replaces the thread', async (t) => {
    const rt = make({ concurrency: 1, timeoutSeconds: 20 }, undefined, 128);
    t.after(() => rt.close());
    const r = await rt.invoke({ action: 'oom' }, { signal: never, payloadBytes: 0, requestId: 'oom-req' });
    assertError(r, 'Runtime.OutOfMemory', 'RequestId: oom-req Error: Runtime exited with error: signal: killed');
    await assertStillWorks(rt);
  });

  test('close() is idempotent and later invokes answer Sluice.RuntimeClosed', async () => {
    const rt = make({ concurrency: 1 });
    await assertStillWorks(rt);
    const c1 = rt.close(1000);
    assert.equal(rt.close(), c1);
    await c1;
    const r = await call(rt, { action: 'ok' });
    assert.equal(r.kind === 'function-error' && r.errorType, 'Sluice.RuntimeClosed');
  });
});

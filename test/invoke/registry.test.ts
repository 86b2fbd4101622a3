import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AbortedError } from '../../src/core/errors.js';
import type { FunctionSpec } from '../../src/core/functions.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createInProcessRuntime, createRuntimeRegistry, functionArn } from '../../src/invoke/registry.js';

const never = new AbortController().signal;
const opts = (id: string) => ({ signal: never, payloadBytes: 0, requestId: id });

describe('runtime registry', () => {
  test('one runtime per function, with ARNs, for both kinds; close is idempotent', async (t) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"remote":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const functions: FunctionSpec[] = [
      {
        kind: 'handler',
        name: 'local',
        modulePath: fileURLToPath(new URL('../fixtures/handlers/behaviours.mjs', import.meta.url)),
        exportName: 'handler',
        timeoutSeconds: 3,
        concurrency: 2,
        environment: {},
        memorySizeMb: 128,
      },
      {
        kind: 'lambda',
        name: 'remote',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        functionName: 'remote-fn',
        timeoutSeconds: 3,
        concurrency: 2,
        region: 'us-west-2',
      },
    ];
    const reg = createRuntimeRegistry(functions, { logger: silentLogger, region: 'us-west-2', accountId: '123456789012' });
    assert.deepEqual(reg.names(), ['local', 'remote']);
    assert.equal(reg.get('missing'), undefined);
    const local = reg.get('local')!;
    const remote = reg.get('remote')!;
    assert.equal(local.functionArn, 'arn:aws:lambda:us-west-2:123456789012:function:local');
    assert.equal(remote.functionArn, functionArn('us-west-2', '123456789012', 'remote'));
    const l = await local.invoke({ action: 'ok', value: 1 }, opts('l1'));
    assert.deepEqual(l.kind === 'success' ? l.payload : l, { echo: 1 });
    const r = await remote.invoke({}, opts('r1'));
    assert.deepEqual(r.kind === 'success' ? r.payload : r, { remote: true });
    const c = reg.close(1000);
    assert.equal(reg.close(), c);
    await c;
    const after = await local.invoke({ action: 'ok' }, opts('l2'));
    assert.equal(after.kind === 'function-error' && after.errorType, 'Sluice.RuntimeClosed');
  });

  test('duplicate names are refused', () => {
    const f: FunctionSpec = { kind: 'lambda', name: 'x', endpoint: 'http://127.0.0.1:1', functionName: 'x', timeoutSeconds: 1, concurrency: 1, region: 'us-east-1' };
    assert.throws(() => createRuntimeRegistry([f, f], { logger: silentLogger, region: 'us-east-1', accountId: '000000000000' }), /defined twice/);
  });
});

describe('in-process runtime', () => {
  test('same mapping as the worker runtime: success, errors, callback, context, timeout', async () => {
    const rt = createInProcessRuntime(
      'inproc',
      async (event: { action: string }, context: { awsRequestId: string; functionName: string; invokedFunctionArn: string }) => {
        if (event.action === 'throw') throw new TypeError('nope');
        if (event.action === 'hang') return new Promise(() => {});
        if (event.action === 'bigint') return 1n;
        return { id: context.awsRequestId, fn: context.functionName, arn: context.invokedFunctionArn };
      },
      { timeoutSeconds: 0.2, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:inproc' },
    );
    const ok = await rt.invoke({ action: 'ok' }, opts('a'));
    assert.deepEqual(ok.kind === 'success' ? ok.payload : ok, { id: 'a', fn: 'inproc', arn: 'arn:aws:lambda:us-east-1:000000000000:function:inproc' });
    const err = await rt.invoke({ action: 'throw' }, opts('b'));
    assert.deepEqual(err.kind === 'function-error' && [err.errorType, err.errorMessage], ['TypeError', 'nope']);
    const big = await rt.invoke({ action: 'bigint' }, opts('c'));
    assert.equal(big.kind === 'function-error' && big.errorType, 'Runtime.JSONStringifyError');
    const to = await rt.invoke({ action: 'hang' }, opts('d'));
    assert.deepEqual(to.kind === 'function-error' && [to.errorType, to.errorMessage], ['Sandbox.Timedout', 'RequestId: d Error: Task timed out after 0.20 seconds']);
    const cb = createInProcessRuntime('cb', (_e: unknown, _c: unknown, callback: (err?: unknown, r?: unknown) => void) => {
      setImmediate(() => callback(null, 'done'));
    });
    const c = await cb.invoke({}, opts('e'));
    assert.deepEqual(c.kind === 'success' ? c.payload : c, 'done');
    const ac = new AbortController();
    const pending = rt.invoke({ action: 'hang' }, { ...opts('f'), signal: ac.signal });
    ac.abort();
    await assert.rejects(pending, AbortedError);
    await Promise.all([rt.close(), cb.close()]);
  });
});

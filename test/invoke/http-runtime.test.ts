import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortedError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createHttpRuntime, invokePath, type LambdaFunctionSpec } from '../../src/invoke/http-runtime.js';
import type { FunctionRuntime, InvokeResult } from '../../src/invoke/runtime.js';
import { freePort } from '../support/ports.js';

const never = new AbortController().signal;
let seq = 0;

interface Seen {
  method: string;
  url: string;
  invocationType: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A local Lambda Invoke API: the event's `action` picks the answer. */
function lambdaServer(seen: Seen[]): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', invocationType: req.headers['x-amz-invocation-type'] as string | undefined, contentType: req.headers['content-type'], body });
      const event = JSON.parse(body) as { action: string; value?: unknown };
      const json = (status: number, doc: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(doc));
      };
      switch (event.action) {
        case 'ok':
          return json(200, { echo: event.value ?? null });
        case 'empty':
          res.writeHead(200);
          return res.end();
        case 'text':
          res.writeHead(200, { 'content-type': 'text/plain' });
          return res.end('plain words');
        case 'fn-error':
          return json(200, { errorType: 'TypeError', errorMessage: 'bad input', trace: [] }, { 'x-amz-function-error': 'Unhandled' });
        case 'fn-error-raw':
          res.writeHead(200, { 'x-amz-function-error': 'Unhandled' });
          return res.end('not json');
        case 'throttle':
          return json(429, { Type: 'User', message: 'Rate Exceeded.' }, { 'x-amzn-errortype': 'TooManyRequestsException' });
        case 'unavailable':
          return json(503, { message: 'Service unavailable' }, { 'x-amzn-errortype': 'ServiceException:http://internal' });
        case 'fail500':
          return json(500, { __type: 'com.amazon#ServiceException', message: 'internal failure' });
        case 'not-found':
          return json(404, { Type: 'User', message: 'Function not found' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
        case 'drop':
          return req.socket.destroy();
        case 'hang':
          return; // never answers
        default:
          return json(400, { message: `unknown action ${event.action}` });
      }
    });
  });
}

describe('HTTP Lambda Invoke runtime', () => {
  const seen: Seen[] = [];
  const server = lambdaServer(seen);
  let endpoint = '';
  let rt: FunctionRuntime;

  const spec = (over: Partial<LambdaFunctionSpec> = {}): LambdaFunctionSpec => ({
    kind: 'lambda',
    name: 'remote',
    endpoint,
    functionName: 'my-fn',
    timeoutSeconds: 0.5,
    concurrency: 4,
    region: 'us-east-1',
    ...over,
  });
  const make = (over: Partial<LambdaFunctionSpec> = {}): FunctionRuntime =>
    createHttpRuntime(spec(over), { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:remote', logger: silentLogger, timeoutMarginMs: 200 });
  const call = (r: FunctionRuntime, event: unknown, signal = never): Promise<InvokeResult> =>
    r.invoke(event, { signal, payloadBytes: 0, requestId: `req-${++seq}` });
  const expectError = (r: InvokeResult, want: { errorType: string; errorMessage?: string | RegExp; statusCode: number; throttled: boolean }): void => {
    assert.equal(r.kind, 'function-error', JSON.stringify(r));
    if (r.kind !== 'function-error') return;
    assert.equal(r.errorType, want.errorType);
    if (typeof want.errorMessage === 'string') assert.equal(r.errorMessage, want.errorMessage);
    else if (want.errorMessage) assert.match(r.errorMessage, want.errorMessage);
    assert.equal(r.statusCode, want.statusCode);
    assert.equal(r.throttled, want.throttled);
  };
  const stillWorks = async (): Promise<void> => {
    const r = await call(rt, { action: 'ok', value: 'after' });
    assert.deepEqual(r.kind === 'success' ? r.payload : r, { echo: 'after' });
  };

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    rt = make();
  });
  after(async () => {
    await rt.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('success: POSTs the event once to the Invoke route with RequestResponse', async () => {
    const before = seen.length;
    const event = { action: 'ok', value: { nested: [1, 2, 'x'] } };
    const r = await call(rt, event);
    assert.deepEqual(r.kind === 'success' ? r.payload : r, { echo: { nested: [1, 2, 'x'] } });
    assert.equal(seen.length, before + 1);
    const s = seen[seen.length - 1]!;
    assert.equal(s.method, 'POST');
    assert.equal(s.url, '/2015-03-31/functions/my-fn/invocations');
    assert.equal(s.invocationType, 'RequestResponse');
    assert.equal(s.contentType, 'application/json');
    assert.deepEqual(JSON.parse(s.body), event);
  });

  test('the body is the UTF-8 of JSON.stringify(event), whatever payloadBytes says', async () => {
    const value = { text: 'é€中😀 "q" \\ \n\u2028', lone: '\ud800x\udfff', big: 'x'.repeat(70_000), n: [1.5, null] };
    const event = { action: 'ok', value };
    const exact = Buffer.byteLength(JSON.stringify(event), 'utf8');
    for (const payloadBytes of [0, exact, exact - 3, exact + 9, JSON.stringify(event).length]) {
      const r = await rt.invoke(event, { signal: never, payloadBytes, requestId: `req-${++seq}` });
      assert.deepEqual(r.kind === 'success' ? r.payload : r, { echo: value }, `payloadBytes ${payloadBytes}`);
      assert.equal(seen[seen.length - 1]!.body, JSON.stringify(event), `payloadBytes ${payloadBytes}`);
    }
  });

  test('Qualifier goes in the query string; endpoint base paths are kept', async (t) => {
    const q = make({ qualifier: 'live', functionName: 'fn:with/odd' });
    t.after(() => q.close());
    await call(q, { action: 'ok' });
    assert.equal(seen[seen.length - 1]!.url, '/2015-03-31/functions/fn%3Awith%2Fodd/invocations?Qualifier=live');
    assert.deepEqual(invokePath('http://h:9001/base/', 'f'), { origin: 'http://h:9001', path: '/base/2015-03-31/functions/f/invocations' });
  });

  test('empty body is null, non-JSON body is kept as a string', async () => {
    const e = await call(rt, { action: 'empty' });
    assert.deepEqual(e.kind === 'success' ? e.payload : e, null);
    const t = await call(rt, { action: 'text' });
    assert.deepEqual(t.kind === 'success' ? t.payload : t, 'plain words');
  });

  test('X-Amz-Function-Error: errorType/errorMessage from the body', async () => {
    expectError(await call(rt, { action: 'fn-error' }), { errorType: 'TypeError', errorMessage: 'bad input', statusCode: 200, throttled: false });
    expectError(await call(rt, { action: 'fn-error-raw' }), { errorType: 'Unhandled', errorMessage: 'not json', statusCode: 200, throttled: false });
    await stillWorks();
  });

  test('429 and 503 are throttled; 500 and 404 are not', async () => {
    expectError(await call(rt, { action: 'throttle' }), { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', statusCode: 429, throttled: true });
    expectError(await call(rt, { action: 'unavailable' }), { errorType: 'ServiceException', errorMessage: 'Service unavailable', statusCode: 503, throttled: true });
    expectError(await call(rt, { action: 'fail500' }), { errorType: 'ServiceException', errorMessage: 'internal failure', statusCode: 500, throttled: false });
    expectError(await call(rt, { action: 'not-found' }), { errorType: 'ResourceNotFoundException', errorMessage: 'Function not found', statusCode: 404, throttled: false });
    await stillWorks();
  });

  test('a dropped connection is a connection error, not an exception; the next invoke works', async () => {
    expectError(await call(rt, { action: 'drop' }), { errorType: 'Sluice.InvokeConnectionError', statusCode: 0, throttled: false });
    await stillWorks();
  });

  test('no answer within timeoutSeconds + margin is Sluice.InvokeTimeout', async () => {
    const r = await call(rt, { action: 'hang' });
    expectError(r, { errorType: 'Sluice.InvokeTimeout', errorMessage: /within 700 ms/, statusCode: 0, throttled: false });
    assert.ok(r.durationMs >= 690 && r.durationMs < 3000, String(r.durationMs));
    await stillWorks();
  });

  test('the caller aborting rejects with AbortedError', async () => {
    const ac = new AbortController();
    const p = call(rt, { action: 'hang' }, ac.signal);
    setImmediate(() => ac.abort());
    await assert.rejects(p, AbortedError);
    await stillWorks();
  });

  test('connection refused is a throttled connection error (the function did not run)', async (t) => {
    const port = await freePort();
    const dead = make({ endpoint: `http://127.0.0.1:${port}` });
    t.after(() => dead.close());
    expectError(await call(dead, { action: 'ok' }), { errorType: 'Sluice.InvokeConnectionError', errorMessage: /ECONNREFUSED/, statusCode: 0, throttled: true });
  });

  test('an event that cannot be serialized is reported, not thrown', async () => {
    expectError(await call(rt, { n: 1n }), { errorType: 'Sluice.InvalidEvent', statusCode: 0, throttled: false });
  });
});

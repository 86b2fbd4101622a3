/** Raw HTTP against the control plane: malformed input never crashes it or yields a 500. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHarness, SQS_ARN, type Harness } from './harness.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let h: Harness;
let ready = true;
before(async () => {
  h = await startHarness({ ready: () => ready, metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: async () => 'sluice_up 1\n' } });
});
after(() => h.close());

const ESM = '/2015-03-31/event-source-mappings/';

function assertAwsError(r: Reply, status: number, type: string, message?: RegExp | string): void {
  assert.equal(r.status, status, r.body);
  assert.equal(r.headers['x-amzn-errortype'], type);
  assert.match(String(r.headers['content-type']), /application\/json/);
  const body = JSON.parse(r.body) as { Type?: string; message: string };
  if (type !== 'ValidationException') assert.equal(body.Type, type === 'ServiceException' ? 'Service' : 'User');
  if (typeof message === 'string') assert.equal(body.message, message);
  else if (message) assert.match(body.message, message);
}

test('malformed JSON is InvalidRequestContentException 400', async () => {
  for (const body of ['{', '{"FunctionName": }', 'null x', '\u0000\u0001']) {
    assertAwsError(await send(h.base, 'POST', ESM, body), 400, 'InvalidRequestContentException', /^Could not parse request body into json: Could not parse payload into json: /);
  }
});

test('members of the wrong JSON type are InvalidRequestContentException 400', async () => {
  const bodies = [
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), BatchSize: 'ten' },
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), BatchSize: 1.5 },
    { FunctionName: 42, EventSourceArn: SQS_ARN('x') },
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), Enabled: 'yes' },
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), FilterCriteria: { Filters: 'x' } },
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), FilterCriteria: { Filters: [{ Pattern: 7 }] } },
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), FunctionResponseTypes: 'ReportBatchItemFailures' },
    { FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), ScalingConfig: [] },
    [1, 2, 3],
    'a string',
  ];
  for (const b of bodies) assertAwsError(await send(h.base, 'POST', ESM, JSON.stringify(b)), 400, 'InvalidRequestContentException');
});

test('an empty body is a request without members: FunctionName must not be null', async () => {
  assertAwsError(await send(h.base, 'POST', ESM, ''), 400, 'ValidationException', "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
});

test('a body over 256 KiB is RequestTooLargeException 413 (declared or streamed), and the server keeps serving', async () => {
  const huge = JSON.stringify({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('x'), pad: 'x'.repeat(300 * 1024) });
  assertAwsError(await send(h.base, 'POST', ESM, huge), 413, 'RequestTooLargeException');
  const chunked = await new Promise<Reply>((resolve, reject) => {
    const u = new URL(ESM, h.base);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    for (let i = 0; i < 40; i++) req.write('x'.repeat(8 * 1024));
    req.end();
  });
  assertAwsError(chunked, 413, 'RequestTooLargeException');
  const ok = await send(h.base, 'POST', ESM, JSON.stringify({ FunctionName: 'fn-a', EventSourceArn: SQS_ARN('after-huge') }));
  assert.equal(ok.status, 202, ok.body);
  assert.equal((JSON.parse(ok.body) as { State: string }).State, 'Creating');
});

test('unknown routes and methods are 404/405 in the AWS error shape', async () => {
  assertAwsError(await send(h.base, 'GET', '/'), 404, 'UnknownOperationException');
  assertAwsError(await send(h.base, 'GET', '/2015-03-31/functions'), 404, 'UnknownOperationException');
  assertAwsError(await send(h.base, 'GET', `${ESM}a/b`), 404, 'UnknownOperationException');
  assertAwsError(await send(h.base, 'PATCH', ESM), 405, 'UnknownOperationException');
  assertAwsError(await send(h.base, 'POST', `${ESM}some-uuid`, '{}'), 405, 'UnknownOperationException');
  assertAwsError(await send(h.base, 'POST', '/metrics'), 405, 'UnknownOperationException');
  assertAwsError(await send(h.base, 'GET', `${ESM}%E0%A4%A`), 404, 'ResourceNotFoundException', 'The resource you requested does not exist.');
  assertAwsError(await send(h.base, 'GET', `${ESM}?MaxItems=abc`), 400, 'InvalidParameterValueException');
});

test('healthz, readyz and metrics', async () => {
  const hz = await send(h.base, 'GET', '/healthz');
  assert.equal(hz.status, 200);
  assert.equal((await send(h.base, 'GET', '/readyz')).status, 200);
  ready = false;
  assert.equal((await send(h.base, 'GET', '/readyz')).status, 503);
  ready = true;
  const m = await send(h.base, 'GET', '/metrics');
  assert.equal(m.status, 200);
  assert.equal(m.body, 'sluice_up 1\n');
  assert.match(String(m.headers['content-type']), /version=0\.0\.4/);
});

test('a burst of garbage requests never produces a 5xx', async () => {
  const junk = ['{', '[]', '{"BatchSize":{}}', '{"FunctionName":"fn-a","EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q","BatchSize":1e400}', JSON.stringify({ FunctionName: 'x'.repeat(5000) })];
  const replies = await Promise.all(
    Array.from({ length: 60 }, (_, i) => send(h.base, i % 3 === 0 ? 'PUT' : 'POST', i % 3 === 0 ? `${ESM}nope-${i}` : ESM, junk[i % junk.length])),
  );
  for (const r of replies) assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.body}`);
});

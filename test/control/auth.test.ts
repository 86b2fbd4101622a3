import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { CreateEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { startHarness, SQS_ARN, REGION, ACCOUNT, type Harness } from './harness.js';

const KEY = { accessKeyId: 'AKIASLUICETEST000001', secretAccessKey: 'sluice/secret+key=with/odd+chars' };
let h: Harness;
before(async () => {
  h = await startHarness({
    auth: { bearerToken: 'token-123', accessKeys: [KEY] },
    credentials: KEY,
    metrics: { contentType: 'text/plain', text: async () => 'm 1\n' },
  });
});
after(() => h.close());

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, h.base);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      let t = '';
      res.on('data', (d: Buffer) => (t += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['x-amzn-errortype'] as string | undefined, body: t }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const client = (creds: { accessKeyId: string; secretAccessKey: string }, extra: object = {}): LambdaClient =>
  new LambdaClient({ endpoint: h.base, region: REGION, credentials: creds, maxAttempts: 1, ...extra });

test('SigV4 requests from the AWS SDK with a configured key are accepted (body, path and query signed)', async () => {
  const created = await h.client.send(new CreateEventSourceMappingCommand({ FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-a`, EventSourceArn: SQS_ARN('signed') }));
  assert.equal(created.$metadata.httpStatusCode, 202);
  const list = await h.client.send(new ListEventSourceMappingsCommand({ FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn-a`, EventSourceArn: SQS_ARN('signed'), MaxItems: 5 }));
  assert.equal(list.EventSourceMappings?.length, 1);
});

test('a wrong secret is InvalidSignatureException 403; an unknown key is UnrecognizedClientException 403', async () => {
  const bad = client({ accessKeyId: KEY.accessKeyId, secretAccessKey: 'wrong' });
  const e1 = (await bad.send(new ListEventSourceMappingsCommand({})).catch((e: Error) => e)) as Error & { $metadata: { httpStatusCode: number } };
  assert.equal(e1.name, 'InvalidSignatureException');
  assert.equal(e1.$metadata.httpStatusCode, 403);
  assert.equal(
    e1.message,
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
  bad.destroy();
  const unknown = client({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: KEY.secretAccessKey });
  const e2 = (await unknown.send(new ListEventSourceMappingsCommand({})).catch((e: Error) => e)) as Error;
  assert.equal(e2.name, 'UnrecognizedClientException');
  assert.equal(e2.message, 'The security token included in the request is invalid.');
  unknown.destroy();
});

test('a signature older than 15 minutes is rejected', async () => {
  const skewed = client(KEY, { systemClockOffset: -20 * 60_000 });
  const e = (await skewed.send(new ListEventSourceMappingsCommand({})).catch((x: Error) => x)) as Error;
  assert.equal(e.name, 'InvalidSignatureException');
  assert.match(e.message, /^Signature expired: \d{8}T\d{6}Z is now earlier or later than 15 minutes from the server time\.$/);
  skewed.destroy();
});

test('a signed request replayed with a changed query or body fails verification', async () => {
  let captured: { path: string; query: Record<string, string>; headers: Record<string, string> } | undefined;
  const spy = client(KEY);
  spy.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request as { path: string; query: Record<string, string>; headers: Record<string, string> };
      captured = { path: r.path, query: { ...r.query }, headers: { ...r.headers } };
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureSigned' },
  );
  await spy.send(new ListEventSourceMappingsCommand({ MaxItems: 3 }));
  spy.destroy();
  assert.ok(captured?.headers.authorization?.startsWith('AWS4-HMAC-SHA256'), 'captured after signing');
  const qs = new URLSearchParams(captured!.query).toString();
  const again = await raw('GET', `${captured!.path}?${qs}`, captured!.headers);
  assert.equal(again.status, 200, again.body);
  const tampered = await raw('GET', `${captured!.path}?MaxItems=4`, captured!.headers);
  assert.equal(tampered.status, 403);
  assert.equal(tampered.type, 'InvalidSignatureException');
  const withBody = await raw('GET', `${captured!.path}?${qs}`, { ...captured!.headers, 'content-length': '2' }, '{}');
  assert.equal(withBody.status, 403);
});

test('bearer token: the right one is accepted, a wrong one or none is 403 in the AWS shape; health checks need none', async () => {
  const ok = await raw('GET', '/2015-03-31/event-source-mappings/', { authorization: 'Bearer token-123' });
  assert.equal(ok.status, 200);
  const wrong = await raw('GET', '/2015-03-31/event-source-mappings/', { authorization: 'Bearer nope' });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.type, 'UnrecognizedClientException');
  assert.deepEqual(JSON.parse(wrong.body), { Type: 'User', message: 'The security token included in the request is invalid.' });
  const none = await raw('GET', '/2015-03-31/event-source-mappings/');
  assert.equal(none.status, 403);
  assert.equal(none.type, 'UnrecognizedClientException');
  assert.equal((await raw('GET', '/metrics')).status, 403);
  assert.equal((await raw('GET', '/metrics', { authorization: 'Bearer token-123' })).status, 200);
  assert.equal((await raw('GET', '/healthz')).status, 200);
  assert.equal((await raw('GET', '/readyz')).status, 200);
});

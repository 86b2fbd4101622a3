import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDestination } from '../../src/destinations/create.js';
import { AbortedError, DestinationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { AwsSettings } from '../../src/sources/source.js';
import { freePort } from '../support/ports.js';
import { sampleDelivery } from './fixtures.js';

const aws: AwsSettings = { region: 'us-east-1', accountId: '123456789012', endpoints: {} };
const deps = { aws, logger: silentLogger };
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

describe('file:// destination', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-dest-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  test('appends one JSON line per record, in delivery order, concurrent deliveries do not interleave', async () => {
    const path = join(dir, 'failures.jsonl');
    const dest = createDestination(pathToFileURL(path).href, deps);
    const ds = Array.from({ length: 20 }, (_, i) => sampleDelivery(i + 1));
    await Promise.all(ds.map((d) => dest.deliver(d, signal())));
    await dest.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), ds.map((d) => ({ ...(JSON.parse(JSON.stringify(d.record)) as object), payload: JSON.stringify(d.payload) })));
  });
  test('appends to an existing file; delivery after close is refused', async () => {
    const path = join(dir, 'again.jsonl');
    const a = createDestination(pathToFileURL(path).href, deps);
    await a.deliver(sampleDelivery(1), signal());
    await a.close();
    const b = createDestination(pathToFileURL(path).href, deps);
    await b.deliver(sampleDelivery(2), signal());
    await b.close();
    await assert.rejects(b.deliver(sampleDelivery(3), signal()), DestinationError);
    assert.equal((await readFile(path, 'utf8')).trim().split('\n').length, 2);
  });
  test('a directory that does not exist: retriable DestinationError', async () => {
    const dest = createDestination(pathToFileURL(join(dir, 'nope', 'x.jsonl')).href, deps);
    await assert.rejects(dest.deliver(sampleDelivery(), signal()), (e: unknown) => e instanceof DestinationError && e.retriable);
    await dest.close();
  });
});

describe('webhook destination', () => {
  let server: Server;
  let url: string;
  const got: { method?: string; type?: string; body: string }[] = [];
  let status = 200;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        got.push({ method: req.method, type: req.headers['content-type'], body });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/failures`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  test('POSTs the record as JSON; 2xx is delivered', async () => {
    status = 204;
    const dest = createDestination(url, deps);
    const d = sampleDelivery(5);
    await dest.deliver(d, signal());
    await dest.close();
    const last = got.at(-1);
    assert.equal(last?.method, 'POST');
    assert.equal(last?.type, 'application/json');
    assert.deepEqual(JSON.parse(last?.body ?? ''), JSON.parse(JSON.stringify(d.record)));
  });
  test('a non-2xx answer is a retriable DestinationError with the status', async () => {
    status = 503;
    const dest = createDestination(url, deps);
    await assert.rejects(dest.deliver(sampleDelivery(), signal()), (e: unknown) => e instanceof DestinationError && e.retriable && e.context.status === 503);
    await dest.close();
  });
  test('a closed port is a retriable DestinationError', async () => {
    const port = await freePort();
    const dest = createDestination(`http://127.0.0.1:${port}/x`, deps);
    await assert.rejects(dest.deliver(sampleDelivery(), signal()), (e: unknown) => e instanceof DestinationError && e.retriable && /ECONNREFUSED/.test(e.message));
    await dest.close();
  });
  test('an aborted delivery rejects with AbortedError', async () => {
    const dest = createDestination(url, deps);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(dest.deliver(sampleDelivery(), ac.signal), AbortedError);
    await dest.close();
  });
});

describe('createDestination', () => {
  for (const t of ['arn:aws:lambda:us-east-1:123456789012:function:f', 'ftp://x', 'arn:aws:s3:::bucket/key', 'kafka://', 'file://relative.jsonl', 'nonsense']) {
    test(`rejects ${t}`, () => {
      assert.throws(() => createDestination(t, deps), (e: unknown) => e instanceof DestinationError && e.code === 'DESTINATION_INVALID' && !e.retriable);
    });
  }
  test('kafka:// needs the mapping brokers', () => {
    assert.throws(() => createDestination('kafka://failures', deps), (e: unknown) => e instanceof DestinationError && e.code === 'DESTINATION_INVALID');
    const d = createDestination('kafka://failures', { ...deps, kafkaBrokers: ['127.0.0.1:1'] });
    assert.equal(d.target, 'kafka://failures');
    return d.close();
  });
});

/**
 * End to end, control plane: @aws-sdk/client-lambda against the daemon (in-process), a real SQS
 * queue on local-aws-sqs, the recorder handler in worker threads, SQLite state on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Daemon } from '../../src/daemon.js';
import { uniqueName } from '../support/names.js';
import { waitFor } from '../support/wait.js';
import { counts, createQueue, daemonYaml, queueDepth, readLines, recorderFunction, sqsIds, startDaemonFromYaml, tempDir, type SqsLine, useSqsServer } from './support/e2e.js';

const fx = useSqsServer();

function lambda(d: Daemon): LambdaClient {
  return new LambdaClient({ endpoint: `http://${d.address.host}:${d.address.port}`, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
}

/** The value of `name{...mapping_uuid="uuid"...}` summed over its series in Prometheus text. */
function metricFor(text: string, name: string, uuid: string): number {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !line.includes(`mapping_uuid="${uuid}"`)) continue;
    seen = true;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  assert.ok(seen, `metric ${name} has a series for ${uuid}`);
  return sum;
}

test('control plane: create while sending, disable stops invokes, enable resumes losing nothing, metrics, restart keeps the mapping, delete', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const out = join(dir, 'out.jsonl');
  const yaml = daemonYaml({ stateDb: join(dir, 'state.db'), endpoints: { sqs: fx.server.endpoint }, functions: recorderFunction('rec', 'sqs', out, dir) });
  let d = await startDaemonFromYaml(dir, yaml);
  t.after(() => d.stop());
  let api = lambda(d);
  t.after(() => api.destroy());
  // A short visibility timeout: messages received but not invoked when the mapping is disabled come back quickly.
  const q = await createQueue(fx.sqs, uniqueName('e2e-cp'), { VisibilityTimeout: '3' });

  const sent: string[] = [];
  let sending = true;
  const sendBatch = async (): Promise<void> => {
    const ids = Array.from({ length: 10 }, (_, i) => `s${sent.length + i}`);
    sent.push(...ids);
    const r = await fx.sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: ids.map((id, i) => ({ Id: String(i), MessageBody: JSON.stringify({ id }) })) }));
    assert.equal(r.Failed?.length ?? 0, 0);
  };
  const producer = (async () => {
    while (sending && sent.length < 300) await sendBatch();
  })();

  // Create while messages are being sent: Creating, then Enabled.
  const created = await api.send(new CreateEventSourceMappingCommand({ FunctionName: 'rec', EventSourceArn: q.arn, BatchSize: 10 }));
  const uuid = created.UUID;
  assert.ok(uuid);
  assert.equal(created.State, 'Creating');
  assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:rec');
  await waitFor(async () => (await api.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', { message: 'Enabled' });
  await waitFor(() => sqsIds(readLines<SqsLine>(out)).length > 0, { message: 'first invokes' });
  await producer;
  sending = false;

  // Disable (and change BatchSize): Disabled, and nothing is invoked while new messages wait.
  const upd = await api.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 5, Enabled: false }));
  assert.ok(['Disabling', 'Updating'].includes(String(upd.State)), `update answers ${upd.State}`);
  await waitFor(async () => (await api.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Disabled', { timeoutMs: 15_000, message: 'Disabled' });
  const disabledAt = Date.now();
  const got = await api.send(new GetEventSourceMappingCommand({ UUID: uuid }));
  assert.equal(got.BatchSize, 5);
  const linesAtDisable = readLines<SqsLine>(out).length;
  // From here until Enable is sent, every poll or invoke of the mapping (an event on the daemon's
  // bus) is a failure.
  const whileDisabled: string[] = [];
  const offPolled = d.events.on('polled', (e) => void (e.mapping === uuid && whileDisabled.push(`polled ${e.count}`)));
  const offInvoked = d.events.on('invoked', (e) => void (e.mapping === uuid && whileDisabled.push(`invoked ${e.count}`)));
  const before = sent.length;
  for (let i = 0; i < 5; i++) await sendBatch();
  // Every message sent while disabled (and any released by the stopped pollers) waits visible in the queue.
  await waitFor(async () => (await queueDepth(fx.sqs, q.url)).visible >= sent.length - before, { timeoutMs: 10_000, message: 'new messages visible' });
  // Messages the stopped pollers had received but not invoked are left alone (as on AWS) and come
  // back after the 3 s visibility timeout; meanwhile new messages sit visible in the queue and
  // sluice must receive and invoke nothing.
  await waitFor(async () => (await queueDepth(fx.sqs, q.url)).notVisible === 0, {
    timeoutMs: 10_000,
    message: 'released messages visible again',
  });
  offPolled();
  offInvoked();
  assert.deepEqual(whileDisabled, [], 'a disabled mapping receives and invokes nothing');
  assert.equal(readLines<SqsLine>(out).length, linesAtDisable, 'a disabled mapping invokes nothing');
  assert.ok((await queueDepth(fx.sqs, q.url)).visible >= sent.length - before);

  // Enable: resumes; every message processed, duplicates only among those in flight at the disable.
  await api.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
  await waitFor(async () => (await api.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', { timeoutMs: 15_000, message: 'Enabled again' });
  await waitFor(() => new Set(sqsIds(readLines<SqsLine>(out))).size === sent.length, { timeoutMs: 20_000, message: `all ${sent.length} messages processed` });
  await waitFor(async () => {
    const depth = await queueDepth(fx.sqs, q.url);
    return depth.visible === 0 && depth.notVisible === 0;
  }, { timeoutMs: 10_000, message: 'queue empty' });
  const lines = readLines<SqsLine>(out);
  const seen = counts(sqsIds(lines));
  for (const id of sent) assert.ok((seen.get(id) ?? 0) >= 1, `${id} processed`);
  const firstAt = new Map<string, number>();
  for (const l of lines) for (const id of sqsIds([l])) if (!firstAt.has(id)) firstAt.set(id, l.t);
  for (const [id, n] of seen) {
    if (n > 1) assert.ok((firstAt.get(id) ?? Infinity) <= disabledAt, `${id} duplicated (${n}x) but was not in flight when the mapping was disabled`);
  }
  for (const l of lines.slice(linesAtDisable)) assert.ok(l.records.length <= 5, 'the new BatchSize 5 applies after the update');

  // /metrics: invoked events for this mapping = records the handler received.
  const res = await fetch(`http://${d.address.host}:${d.address.port}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const handled = sqsIds(lines).length;
  assert.equal(metricFor(text, 'sluice_invoked_events_total', uuid), handled);
  assert.equal(metricFor(text, 'sluice_deleted_events_total', uuid) >= sent.length, true, 'every message counted as deleted');

  // Restart with the same SQLite file: the mapping is still there, with its settings.
  await d.stop();
  api.destroy();
  d = await startDaemonFromYaml(dir, yaml);
  api = lambda(d);
  const listed = await api.send(new ListEventSourceMappingsCommand({ FunctionName: 'rec' }));
  const again = listed.EventSourceMappings?.find((m) => m.UUID === uuid);
  assert.ok(again, 'mapping listed after restart');
  assert.equal(again.BatchSize, 5);
  assert.equal(again.EventSourceArn, q.arn);
  await waitFor(async () => (await api.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', { message: 'Enabled after restart' });

  // Delete: Deleting, then gone.
  const del = await api.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
  assert.equal(del.State, 'Deleting');
  await waitFor(
    async () => {
      try {
        await api.send(new GetEventSourceMappingCommand({ UUID: uuid }));
        return false;
      } catch (e) {
        return e instanceof ResourceNotFoundException;
      }
    },
    { timeoutMs: 15_000, message: 'ResourceNotFoundException after delete' },
  );
  const after2 = await api.send(new ListEventSourceMappingsCommand({}));
  assert.equal(after2.EventSourceMappings?.some((m) => m.UUID === uuid), false);
});

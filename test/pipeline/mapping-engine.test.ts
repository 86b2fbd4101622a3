import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { shardId, type MappingUuid } from '../../src/core/ids.js';
import type { MappingSpec } from '../../src/core/mapping.js';
import { PipelineEventBus } from '../../src/observability/events.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { MappingStatus } from '../../src/pipeline/engine.js';
import { createMappingEngine } from '../../src/pipeline/mapping-engine.js';
import type { PolledRecord, Source, SourceContext, ShardSink } from '../../src/sources/source.js';
import { MemoryCheckpoints } from '../support/fake-source-context.js';
import { testMapping } from '../support/mapping.js';
import { waitFor } from '../support/wait.js';
import { rec, recordsEnvelope } from '../batching/records.js';
import { FakeRuntime, ok, settle } from './fakes.js';

const aws = { region: 'us-east-1', accountId: '000000000000', endpoints: {} };

/** A source that opens one shard and pushes what the test gives it. */
class FakeSource implements Source {
  readonly kind = 'kinesis' as const;
  ctx: SourceContext | undefined;
  sink: ShardSink | undefined;
  stopped = false;
  checkpointed: string[] = [];
  completed: string[] = [];
  failStart: Error | undefined;
  #stopping: Promise<void> | undefined;
  constructor(readonly spec: MappingSpec) {}
  async start(ctx: SourceContext): Promise<void> {
    if (this.failStart) throw this.failStart;
    this.ctx = ctx;
    const cps = this.checkpointed;
    const done = this.completed;
    this.sink = ctx.openShard(shardId('shard-0'), {
      async checkpoint(last: PolledRecord) {
        cps.push(last.id);
        await ctx.checkpoints.put({ mappingUuid: ctx.mapping.UUID, shardId: shardId('shard-0'), position: last.id, status: 'open', windowState: null, updatedAt: 0 });
      },
      async complete(records: readonly PolledRecord[]) {
        for (const r of records) done.push(r.id);
      },
      async release() {},
    }, recordsEnvelope);
  }
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.stopped = true;
      await this.sink?.close({ mode: 'drain' });
    })();
    return this.#stopping;
  }
}

function setup(opts: { runtime?: FakeRuntime | undefined; failStarts?: number } = {}) {
  const sources: FakeSource[] = [];
  const runtime = 'runtime' in opts ? opts.runtime : new FakeRuntime(() => ok());
  const checkpoints = new MemoryCheckpoints();
  let failStarts = opts.failStarts ?? 0;
  const engine = createMappingEngine({
    runtimes: { get: (name) => (runtime && name === 'test-fn' ? runtime : undefined) },
    sourceFactory: (spec) => {
      const s = new FakeSource(spec);
      if (failStarts-- > 0) s.failStart = new Error('stream not found');
      sources.push(s);
      return s;
    },
    checkpoints,
    events: new PipelineEventBus(),
    logger: silentLogger,
    aws,
    startBackoffMs: () => 10,
  });
  const history: [MappingUuid, MappingStatus][] = [];
  engine.onStatus((u, s) => history.push([u, s]));
  const states = (): string[] => history.map(([, s]) => s.state).filter((s, i, a) => i === 0 || a[i - 1] !== s);
  return { engine, sources, runtime, checkpoints, history, states };
}

describe('mapping engine', () => {
  test('create enabled: Creating → Enabled, source started, records invoked, LastProcessingResult OK', async () => {
    const t = setup();
    const spec = testMapping('kinesis');
    const applied = t.engine.apply(spec);
    assert.equal(t.engine.status(spec.UUID)?.state, 'Creating');
    assert.equal(t.engine.status(spec.UUID)?.lastProcessingResult, 'No records processed');
    assert.equal(t.engine.status(spec.UUID)?.stateTransitionReason, 'User action');
    await applied;
    assert.equal(t.engine.status(spec.UUID)?.state, 'Enabled');
    assert.equal(t.sources.length, 1);
    await t.sources[0]!.sink!.push([rec(1), rec(2)]);
    await waitFor(() => t.sources[0]!.checkpointed.length === 1);
    assert.deepEqual(t.sources[0]!.checkpointed, ['00000002']);
    assert.equal(t.engine.status(spec.UUID)?.lastProcessingResult, 'OK');
    assert.deepEqual(t.states(), ['Creating', 'Enabled']);
    await t.engine.stop(1000);
  });

  test('create disabled, enable, update, disable, remove: AWS state transitions and position kept', async () => {
    const t = setup();
    const spec = testMapping('sqs', { Enabled: false });
    await t.engine.apply(spec);
    assert.equal(t.engine.status(spec.UUID)?.state, 'Disabled');
    assert.equal(t.engine.status(spec.UUID)?.stateTransitionReason, 'USER_INITIATED');
    assert.equal(t.sources.length, 0);

    await t.engine.apply({ ...spec, Enabled: true });
    assert.equal(t.sources.length, 1);

    const updated = { ...spec, Enabled: true, BatchSize: 5 };
    const p = t.engine.apply(updated);
    assert.equal(t.engine.status(spec.UUID)?.state, 'Updating');
    await p;
    assert.equal(t.sources.length, 2);
    assert.equal(t.sources[0]!.stopped, true);
    assert.equal(t.sources[1]!.spec.BatchSize, 5);

    // Same spec again (only LastModified differs): no restart.
    await t.engine.apply({ ...updated, LastModified: updated.LastModified + 5 });
    assert.equal(t.sources.length, 2);

    await t.engine.apply({ ...updated, Enabled: false });
    assert.equal(t.sources[1]!.stopped, true);
    assert.equal(t.engine.status(spec.UUID)?.state, 'Disabled');

    const r = t.engine.remove(spec.UUID);
    assert.equal(t.engine.status(spec.UUID)?.state, 'Deleting');
    await r;
    assert.equal(t.engine.status(spec.UUID), undefined);
    assert.deepEqual(t.states(), ['Creating', 'Disabled', 'Enabling', 'Enabled', 'Updating', 'Enabled', 'Updating', 'Enabled', 'Disabling', 'Disabled', 'Deleting']);
    await t.engine.stop(1000);
  });

  test('an update keeps the position: checkpoints survive the restart of the source', async () => {
    const t = setup();
    const spec = testMapping('kinesis');
    await t.engine.apply(spec);
    await t.sources[0]!.sink!.push([rec(1), rec(2)]);
    await waitFor(() => t.checkpoints.data.size === 1);
    await t.engine.apply({ ...spec, BatchSize: 7 });
    assert.equal(t.sources.length, 2);
    assert.equal([...t.checkpoints.data.values()][0]?.position, '00000002');
    assert.equal(t.engine.status(spec.UUID)?.lastProcessingResult, 'OK');
    await t.engine.stop(1000);
  });

  test('remove stops the pollers and deletes the checkpoints', async () => {
    const t = setup();
    const spec = testMapping('kinesis');
    await t.engine.apply(spec);
    await t.sources[0]!.sink!.push([rec(1)]);
    await waitFor(() => t.checkpoints.data.size === 1);
    await t.engine.remove(spec.UUID);
    assert.equal(t.sources[0]!.stopped, true);
    assert.equal(t.checkpoints.data.size, 0);
    await t.engine.stop(1000);
  });

  test('a missing function: PROBLEM: Function not found, records not lost', async () => {
    const t = setup({ runtime: undefined });
    const spec = testMapping('kinesis');
    await t.engine.apply(spec);
    assert.equal(t.engine.status(spec.UUID)?.lastProcessingResult, `PROBLEM: Function not found: ${spec.FunctionArn}`);
    await t.sources[0]!.sink!.push([rec(1)]);
    await settle();
    assert.deepEqual(t.sources[0]!.checkpointed, []);
    await t.engine.stop(50);
  });

  test('a source that fails to start: PROBLEM reported, the mapping stays Enabled and start is retried', async () => {
    const t = setup({ failStarts: 2 });
    const spec = testMapping('kinesis');
    await t.engine.apply(spec);
    assert.equal(t.engine.status(spec.UUID)?.state, 'Enabled');
    assert.equal(t.engine.status(spec.UUID)?.lastProcessingResult, 'PROBLEM: stream not found');
    await waitFor(() => t.sources.length === 3 && t.sources[2]!.sink !== undefined);
    t.sources[2]!.ctx!.reportProblem(null);
    assert.equal(t.engine.status(spec.UUID)?.lastProcessingResult, 'No records processed');
    await t.engine.stop(1000);
  });

  test('FilterCriteria is applied by default: non-matching SQS messages are deleted without an invoke', async () => {
    const t = setup();
    const spec = testMapping('sqs', { FilterCriteria: { Filters: [{ Pattern: '{"body":{"keep":[true]}}' }] } });
    await t.engine.apply(spec);
    const msgs: PolledRecord[] = [0, 1, 2, 3].map((i) => {
      const event = { n: i, key: `m${i}`, body: JSON.stringify({ keep: i % 2 === 0 }) };
      return { ...rec(i, `m${i}`), event, payloadBytes: Buffer.byteLength(JSON.stringify(event)) };
    });
    await t.sources[0]!.sink!.push(msgs);
    await waitFor(() => t.sources[0]!.completed.length === 4);
    assert.deepEqual(t.runtime!.calls.flatMap((c) => c.ns), [0, 2]);
    assert.deepEqual([...t.sources[0]!.completed].sort(), ['00000000', '00000001', '00000002', '00000003']);
    await t.engine.stop(1000);
  });

  test('stop is idempotent and stops every mapping; apply after stop is refused', async () => {
    const t = setup();
    const a = testMapping('kinesis');
    const b = testMapping('kafka');
    await t.engine.apply(a);
    await t.engine.apply(b);
    const s1 = t.engine.stop(1000);
    assert.equal(t.engine.stop(1000), s1);
    await s1;
    assert.ok(t.sources.every((s) => s.stopped));
    await assert.rejects(t.engine.apply(testMapping('sqs')));
  });
});

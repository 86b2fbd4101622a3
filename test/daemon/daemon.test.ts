import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { startDaemonWith } from '../../src/daemon/daemon.js';
import type { DaemonDeps } from '../../src/daemon/types.js';
import { PipelineEventBus } from '../../src/observability/events.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { Engine } from '../../src/pipeline/engine.js';
import type { StateStore } from '../../src/state/store.js';

const config = parseConfig('state: { sqlite: ":memory:" }\nshutdown: { drainTimeoutSeconds: 7 }\nprogress: { enabled: false }\n', '/tmp/unit.yaml', { env: {} });

/** Fakes that record what the daemon does with them, in order. */
function fakes(calls: string[], over: Partial<DaemonDeps> = {}): DaemonDeps {
  const engine: Engine = {
    apply: async () => {},
    remove: async () => {},
    status: () => undefined,
    onStatus: () => () => {},
    stop: async (ms) => void calls.push(`engine.stop(${ms})`),
  };
  const store = { close: async () => void calls.push('store.close') } as unknown as StateStore;
  return {
    logger: silentLogger,
    events: new PipelineEventBus(),
    writeStdout: () => {},
    openStateStore: async (cfg) => (calls.push(`store.open(${JSON.stringify(cfg)})`), store),
    createRuntimes: () => ({ get: () => undefined, close: async (ms) => void calls.push(`runtimes.close(${ms})`) }),
    createSourceFactory: () => () => {
      throw new Error('no sources in this test');
    },
    createEngine: () => (calls.push('engine.create'), engine),
    createMetrics: () => ({ contentType: 'text/plain', text: async () => '', close: () => void calls.push('metrics.close') }),
    createControlPlane: (d) => ({
      listen: async () => (calls.push(`control.listen(ready=${String(d.ready?.())})`), { host: '127.0.0.1', port: 1234 }),
      close: async () => void calls.push(`control.close(ready=${String(d.ready?.())})`),
    }),
    bootMappings: async () => void calls.push('bootMappings'),
    startEmbedded: async () => {
      throw new Error('embedded is off in this config');
    },
    ...over,
  };
}

test('startDaemonWith: start order, then stop drains with the configured deadline, every step once', async () => {
  const calls: string[] = [];
  const d = await startDaemonWith(config, fakes(calls));
  assert.deepEqual(d.address, { host: '127.0.0.1', port: 1234 });
  assert.deepEqual(calls, ['store.open({"sqlite":":memory:"})', 'engine.create', 'control.listen(ready=false)', 'bootMappings']);
  calls.length = 0;
  const a = d.stop();
  assert.equal(d.stop(), a);
  await a;
  assert.deepEqual(calls, ['control.close(ready=false)', 'engine.stop(7000)', 'runtimes.close(7000)', 'store.close', 'metrics.close']);
});

test('startDaemonWith: a failing step stops what was started and rethrows; a failing stop step does not skip the rest', async () => {
  const calls: string[] = [];
  await assert.rejects(
    startDaemonWith(
      config,
      fakes(calls, {
        bootMappings: async () => {
          throw new Error('boot failed');
        },
        createRuntimes: () => ({
          get: () => undefined,
          close: async () => {
            calls.push('runtimes.close');
            throw new Error('close failed');
          },
        }),
      }),
    ),
    /boot failed/,
  );
  assert.deepEqual(calls, [
    'store.open({"sqlite":":memory:"})',
    'engine.create',
    'control.listen(ready=false)',
    'control.close(ready=false)',
    'engine.stop(7000)',
    'runtimes.close',
    'store.close',
    'metrics.close',
  ]);
});

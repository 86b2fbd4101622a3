import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SluiceConfig } from '../config/types.js';
import type { EmbeddedAws } from '../embedded/index.js';
import { startProgress, type ProgressReporter } from '../observability/progress.js';
import type { Engine } from '../pipeline/engine.js';
import type { AwsSettings } from '../sources/source.js';
import type { StateStore } from '../state/store.js';
import type { ControlPlaneLike, Daemon, DaemonDeps, MetricsLike, RuntimesLike } from './types.js';

/**
 * Starts sluice from a validated config: embedded servers (when enabled), state store, function
 * runtimes, engine, metrics, control plane, then the stored and configured mappings, then the
 * progress line. When a step fails, everything started so far is stopped and the error rethrown.
 */
export async function startDaemonWith(config: SluiceConfig, deps: DaemonDeps): Promise<Daemon> {
  const { logger, events } = deps;
  const drainMs = config.shutdown.drainTimeoutSeconds * 1000;
  const startAbort = new AbortController();
  let ready = false;
  let embedded: EmbeddedAws | undefined;
  let store: StateStore | undefined;
  let runtimes: RuntimesLike | undefined;
  let engine: Engine | undefined;
  let metrics: MetricsLike | undefined;
  let control: ControlPlaneLike | undefined;
  let progress: ProgressReporter | undefined;

  const step = async (name: string, fn: () => unknown): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      logger.error(`stop: ${name} failed`, { err });
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      startAbort.abort();
      logger.info('sluice stopping', { drainTimeoutSeconds: config.shutdown.drainTimeoutSeconds });
      await step('progress', () => progress?.stop());
      await step('demo producer', () => embedded?.demo?.producer.stop());
      await step('control plane', () => control?.close());
      await step('engine', () => engine?.stop(drainMs));
      await step('function runtimes', () => runtimes?.close(drainMs));
      await step('state store', () => store?.close());
      await step('metrics', () => metrics?.close());
      await step('embedded servers', () => embedded?.close());
      logger.info('sluice stopped');
    })();
    return stopping;
  };

  try {
    let aws: AwsSettings = config.aws;
    if (config.embedded.enabled) {
      embedded = await deps.startEmbedded(config.embedded, config.aws, logger, startAbort.signal);
      aws = embedded.aws;
    }
    if ('sqlite' in config.state && config.state.sqlite !== ':memory:') mkdirSync(dirname(config.state.sqlite), { recursive: true });
    store = await deps.openStateStore(config.state);
    runtimes = deps.createRuntimes(config.functions, { logger, region: aws.region, accountId: aws.accountId });
    const sourceFactory = deps.createSourceFactory({ aws, logger, events });
    engine = deps.createEngine({ runtimes, sourceFactory, store, events, logger, aws });
    metrics = deps.createMetrics(events, engine);
    control = deps.createControlPlane({
      host: config.server.host,
      port: config.server.port,
      engine,
      store,
      functions: config.functions,
      ...(metrics ? { metrics } : {}),
      logger,
      region: aws.region,
      accountId: aws.accountId,
      ...(config.server.auth ? { auth: config.server.auth } : {}),
      ready: () => ready,
    });
    const address = await control.listen();
    if (!config.server.auth && !/^(127\.|::1$|localhost$)/.test(config.server.host)) {
      logger.warn('the control plane listens beyond loopback without server.auth: anyone who can reach it can change mappings', { host: config.server.host });
    }
    await deps.bootMappings({ config, aws, engine, store, control, logger });
    if (config.progress.enabled) {
      progress = startProgress({ events, intervalMs: config.progress.intervalSeconds * 1000, write: deps.writeStdout });
    }
    ready = true;
    logger.info('sluice started', { host: address.host, port: address.port, mappings: config.mappings.length, embedded: config.embedded.enabled });
    const started: Daemon = {
      address,
      aws,
      engine,
      store,
      events,
      ...(embedded ? { embedded } : {}),
      stop,
    };
    return started;
  } catch (err) {
    await stop();
    throw err;
  }
}

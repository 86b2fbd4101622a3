import { createControlPlane } from '../control/server.js';
import type { SluiceConfig } from '../config/types.js';
import { startEmbedded } from '../embedded/index.js';
import { createRuntimeRegistry } from '../invoke/registry.js';
import { PipelineEventBus } from '../observability/events.js';
import { createJsonLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createMappingEngine } from '../pipeline/mapping-engine.js';
import type { Engine } from '../pipeline/engine.js';
import { createDestinationRegistry } from '../destinations/registry.js';
import { openStateStore } from '../state/open.js';
import { bootMappings } from './boot-mappings.js';
import type { DaemonDeps } from './types.js';

/** The real collaborators of the daemon, except the source factory (see default-deps.ts). */
export function coreDaemonDeps(config: SluiceConfig): Omit<DaemonDeps, 'createSourceFactory'> {
  return {
    logger: createJsonLogger({ level: config.logging.level }),
    events: new PipelineEventBus(),
    writeStdout: (line) => void process.stdout.write(line + '\n'),
    openStateStore: (cfg) => openStateStore(cfg),
    createRuntimes: (functions, deps) => createRuntimeRegistry(functions, deps),
    createEngine: (deps) => {
      // OnFailure destinations live as long as the engine: closed after it has drained.
      const destinations = createDestinationRegistry({ aws: deps.aws, logger: deps.logger });
      const engine = createMappingEngine({
        runtimes: deps.runtimes,
        sourceFactory: deps.sourceFactory,
        checkpoints: deps.store.checkpoints,
        events: deps.events,
        logger: deps.logger,
        aws: deps.aws,
        onFailureDestination: (spec) => destinations.forMapping(spec),
        drainDeadlineMs: config.shutdown.drainTimeoutSeconds * 1000,
      });
      let stopping: Promise<void> | undefined;
      const stop = (deadlineMs?: number): Promise<void> =>
        (stopping ??= engine.stop(deadlineMs).finally(() => destinations.close()));
      const wrapped: Engine = {
        apply: (spec) => engine.apply(spec),
        remove: (uuid) => engine.remove(uuid),
        status: (uuid) => engine.status(uuid),
        onStatus: (fn) => engine.onStatus(fn),
        stop,
      };
      return wrapped;
    },
    createMetrics: (events, engine) => createMetrics(events, { engine }),
    createControlPlane: (deps) => createControlPlane(deps),
    bootMappings,
    startEmbedded,
  };
}

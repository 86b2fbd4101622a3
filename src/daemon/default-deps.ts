/**
 * The real collaborators of the daemon: the one place that ties it to every component's factory.
 * Tests inject their own through `startDaemon(config, deps)`.
 */
import type { SluiceConfig } from '../config/types.js';
import { createSourceFactory } from '../sources/registry.js';
import { coreDaemonDeps } from './core-deps.js';
import type { DaemonDeps } from './types.js';

export function defaultDaemonDeps(config: SluiceConfig): DaemonDeps {
  return {
    ...coreDaemonDeps(config),
    createSourceFactory: (deps) => createSourceFactory(deps),
  };
}

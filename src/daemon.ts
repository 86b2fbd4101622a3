import type { SluiceConfig } from './config/types.js';
import { startDaemonWith } from './daemon/daemon.js';
import { defaultDaemonDeps } from './daemon/default-deps.js';
import type { Daemon, DaemonDeps } from './daemon/types.js';

export type { Daemon, DaemonDeps } from './daemon/types.js';

/** Starts sluice with the real components, replacing any of them with those in `deps`. */
export function startDaemon(config: SluiceConfig, deps: Partial<DaemonDeps> = {}): Promise<Daemon> {
  return startDaemonWith(config, { ...defaultDaemonDeps(config), ...deps });
}

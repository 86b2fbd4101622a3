import type { Logger } from '../observability/logger.js';
import type { Daemon } from './types.js';

export interface RunOptions {
  readonly logger: Logger;
  readonly writeStdout: (line: string) => void;
  /** The drain deadline; a stop that takes this plus `graceMs` longer is abandoned (exit 1). */
  readonly drainTimeoutMs: number;
  /** Default 10 000 ms. */
  readonly graceMs?: number;
  /** Default process (signals). */
  readonly proc?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Called on a second signal or when stopping overruns: default process.exit. */
  readonly forceExit?: (code: number) => void;
}

/**
 * Starts the daemon and runs it until SIGINT or SIGTERM, then stops it (drain with the deadline).
 * A second signal exits at once. Resolves with the exit code: 0 after a clean stop, 1 when
 * start-up failed.
 */
export async function runUntilSignal(start: () => Promise<Daemon>, opts: RunOptions): Promise<number> {
  const proc = opts.proc ?? process;
  const forceExit = opts.forceExit ?? ((code: number) => process.exit(code));
  let signalled: NodeJS.Signals | undefined;
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) {
      opts.logger.warn(`second ${sig}: exiting without finishing the drain`);
      forceExit(130);
      return;
    }
    signalled = sig;
    opts.logger.info(`${sig} received: stopping`);
    wake();
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  try {
    let daemon: Daemon;
    try {
      daemon = await start();
    } catch (err) {
      opts.logger.error('sluice failed to start', { err });
      return 1;
    }
    opts.writeStdout(`sluice started: control plane on http://${daemon.address.host}:${daemon.address.port}`);
    await stopRequested;
    const overrun = setTimeout(() => {
      opts.logger.error('stopping took longer than the drain deadline: exiting');
      forceExit(1);
    }, opts.drainTimeoutMs + (opts.graceMs ?? 10_000));
    overrun.unref();
    try {
      await daemon.stop();
    } finally {
      clearTimeout(overrun);
    }
    opts.writeStdout('sluice stopped');
    return 0;
  } finally {
    proc.off('SIGINT', onSignal);
    proc.off('SIGTERM', onSignal);
  }
}

/** sluice as a child process (`node dist/src/cli.js start --config <file>`), for kill/restart tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/src/cli.js (this file runs from dist/test/e2e/support). */
export const CLI = fileURLToPath(new URL('../../../src/cli.js', import.meta.url));

export interface SluiceChild {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Resolves once stdout says the daemon started; rejects if it exits first or after `timeoutMs`. */
  started(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code or signal name. */
  readonly exited: Promise<number | string>;
  /** SIGKILL: no drain, no final checkpoint flush. */
  kill(): Promise<number | string>;
  /** SIGTERM (graceful stop); SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<number | string>;
}

export function startSluiceChild(configFile: string, env: Record<string, string> = {}): SluiceChild {
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile], {
    env: { PATH: process.env['PATH'] ?? '', SLUICE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let stopping: Promise<number | string> | undefined;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => out,
    exited,
    started(timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (/sluice started/.test(out)) done(resolve);
        };
        const done = (fn: () => void): void => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          fn();
        };
        const timer = setTimeout(() => done(() => reject(new Error(`sluice did not start within ${timeoutMs} ms:\n${out}`))), timeoutMs);
        child.stdout?.on('data', check);
        void exited.then((code) => done(() => reject(new Error(`sluice exited (${code}) before starting:\n${out}`))));
        check();
      });
    },
    kill() {
      if (alive()) child.kill('SIGKILL');
      return exited;
    },
    stop(graceMs = 15_000) {
      stopping ??= (async () => {
        if (!alive()) return exited;
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(t);
        return code;
      })();
      return stopping;
    },
  };
}

/**
 * Test support: a local server as a child process. Spawns it, keeps the head of its stderr for
 * error messages, polls a readiness probe until a deadline, and kills it on close (SIGTERM, then
 * SIGKILL after 3 s). close() is idempotent and returns the same promise.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { delay } from '../../src/core/clock.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The first `stderrLimit` characters (about) the process wrote to stderr. */
  stderr(): string;
  /** Why the process is gone (`exited with code 1`, `failed to start: …`), or undefined while it runs. */
  exitInfo(): string | undefined;
  /** Stops the process (SIGTERM, SIGKILL after 3 s) and waits for it to exit. Idempotent. */
  close(): Promise<void>;
}

export interface SpawnServerOptions extends SpawnOptions {
  /** How much of stderr to keep for error messages; default 8192 characters. */
  stderrLimit?: number;
}

/** Spawns `command` with stdin and stdout ignored and stderr captured. */
export function spawnServerProcess(command: string, args: readonly string[], opts: SpawnServerOptions = {}): ServerProcess {
  const { stderrLimit = 8192, ...spawnOpts } = opts;
  const child = spawn(command, args, { ...spawnOpts, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < stderrLimit) stderr += s;
  });
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo ??= `exited with code ${code ?? signal}`;
      resolve();
    });
    child.once('error', (e) => {
      exitInfo = `failed to start: ${e.message}`;
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    child,
    stderr: () => stderr,
    exitInfo: () => exitInfo,
    close: () =>
      (closing ??= (async () => {
        if (exitInfo === undefined) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(t);
        }
      })()),
  };
}

export interface ReadyOptions {
  /** Name for error messages, e.g. `dynoxide`. */
  name: string;
  /** Where the server should answer (for the timeout message). */
  endpoint: string;
  /** Resolves true once the server answers; a rejection or false means "not yet". Gets a 1 s timeout signal. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  timeoutMs: number;
  /** Pause between probes. */
  intervalMs: number;
}

/**
 * Polls `probe` until it answers true. Throws (with the server's stderr) when the process exits
 * first, or, after closing the process, when `timeoutMs` passes.
 */
export async function waitUntilReady(proc: ServerProcess, o: ReadyOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const info = proc.exitInfo();
    if (info !== undefined) throw new Error(`${o.name} ${info} before answering: ${proc.stderr()}`);
    try {
      if (await o.probe(AbortSignal.timeout(1000))) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.close();
      throw new Error(`${o.name} did not answer on ${o.endpoint} within ${o.timeoutMs} ms: ${proc.stderr()}`);
    }
    await delay(o.intervalMs);
  }
}

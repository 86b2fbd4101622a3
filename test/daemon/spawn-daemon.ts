import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HANDLER = fileURLToPath(new URL('../../../examples/handlers/echo.mjs', import.meta.url));


/** A daemon child process whose stdout lines can be awaited (no sleeping). */
export interface SpawnedDaemon {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: () => string;
  /** Resolves with the first stdout line (seen or future) matching `re`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
}

export function spawnDaemon(args: string[], env: Record<string, string> = {}): SpawnedDaemon {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', SLUICE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let err = '';
  let partial = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout,
    stderr: () => err,
    exited,
    waitForLine(re, timeoutMs = 20_000) {
      const seen = stdout.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no stdout line matching ${re} within ${timeoutMs} ms; stdout:\n${stdout.join('\n')}\nstderr:\n${err}`)), timeoutMs);
        const w = {
          re,
          resolve: (l: string) => {
            clearTimeout(t);
            resolve(l);
          },
        };
        waiters.push(w);
        void exited.then((code) => {
          if (!waiters.includes(w)) return;
          clearTimeout(t);
          reject(new Error(`daemon exited (${code}) before a line matching ${re}; stdout:\n${stdout.join('\n')}\nstderr:\n${err}`));
        });
      });
    },
  };
}

/** The shipped demo config on free ports and a private state file. */
export function demoConfig(dir: string, drainTimeoutSeconds = 5): string {
  const file = join(dir, 'sluice.yaml');
  writeFileSync(
    file,
    `server: { host: 127.0.0.1, port: 0 }
state: { sqlite: ./state/sluice.db }
embedded: { enabled: true, sqs: { port: 0 }, kinesis: { port: 0 }, demo: { enabled: true, recordsPerSecond: 50 } }
functions:
  echo: { handler: ${JSON.stringify(HANDLER)}, timeoutSeconds: 30, concurrency: 2 }
mappings:
  - { FunctionName: echo, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:sluice-demo", BatchSize: 10 }
  - { FunctionName: echo, EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/sluice-demo", StartingPosition: TRIM_HORIZON }
progress: { enabled: true, intervalSeconds: 1 }
shutdown: { drainTimeoutSeconds: ${drainTimeoutSeconds} }
`,
  );
  return file;
}


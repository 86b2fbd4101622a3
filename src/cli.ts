import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from './config/load.js';
import type { SluiceConfig } from './config/types.js';
import { ConfigError, formatProblem } from './core/errors.js';
import { listMappings } from './cli/list.js';

const USAGE = `Usage: sluice <command> [options]

Commands:
  start             run the daemon (until SIGINT/SIGTERM)
  validate-config   check the config file; prints OK or one line per problem
  list              list the event source mappings of a running sluice

Options:
  --config <path>   config file (default: $SLUICE_CONFIG, else config/sluice.yaml)
  --endpoint <url>  list: the control plane (default http://127.0.0.1:9070)
  --token <token>   list: bearer token (default: $SLUICE_TOKEN)
  -h, --help        show this help
`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const defaultIo: CliIo = {
  out: (l) => void process.stdout.write(l + '\n'),
  err: (l) => void process.stderr.write(l + '\n'),
  env: process.env,
};

function load(path: string | undefined, io: CliIo): SluiceConfig | undefined {
  try {
    return loadConfig({ ...(path !== undefined ? { path } : {}), env: io.env });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(`sluice: invalid config (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}):`);
    for (const p of e.problems) io.err(formatProblem(p));
    return undefined;
  }
}

/** Runs one CLI command; resolves with the process exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        endpoint: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`sluice: ${(e as Error).message}`);
    io.err(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.err : io.out)(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case 'validate-config': {
      const cfg = load(values.config, io);
      if (!cfg) return 1;
      io.out(`OK ${cfg.file} (${cfg.functions.length} function(s), ${cfg.mappings.length} mapping(s))`);
      return 0;
    }
    case 'start': {
      const cfg = load(values.config, io);
      if (!cfg) return 1;
      const [{ startDaemon }, { runUntilSignal }, { createJsonLogger }] = await Promise.all([
        import('./daemon.js'),
        import('./daemon/run.js'),
        import('./observability/logger.js'),
      ]);
      const logger = createJsonLogger({ level: cfg.logging.level });
      return runUntilSignal(() => startDaemon(cfg, { logger }), {
        logger,
        writeStdout: io.out,
        drainTimeoutMs: cfg.shutdown.drainTimeoutSeconds * 1000,
      });
    }
    case 'list': {
      const endpoint = values.endpoint ?? io.env.SLUICE_ENDPOINT ?? 'http://127.0.0.1:9070';
      const token = values.token ?? io.env.SLUICE_TOKEN;
      return listMappings({ endpoint, ...(token ? { token } : {}), out: io.out, err: io.err });
    }
    default:
      io.err(`sluice: unknown command ${JSON.stringify(command)}`);
      io.err(USAGE);
      return 2;
  }
}

function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Runs the CLI with process.argv and exits with its code. */
export async function run(): Promise<void> {
  let code: number;
  try {
    code = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`sluice: ${(e as Error).stack ?? String(e)}\n`);
    code = 1;
  }
  // The daemon has stopped everything it started; exit without waiting for stray handles.
  process.stdout.write('', () => process.exit(code));
}

if (isEntryPoint()) void run();

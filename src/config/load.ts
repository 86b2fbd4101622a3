import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { LogLevel } from '../observability/logger.js';
import type { AwsSettings } from '../sources/source.js';
import { resolveFunctions } from './functions.js';
import { controlPlaneMappingCheck } from './control-check.js';
import { mappingProblems, type MappingCheck } from './mappings.js';
import { keyPath, schemaProblems } from './schema-problems.js';
import type { ConfigMapping, EmbeddedConfig, ServerConfig, SluiceConfig, StateConfig } from './types.js';

/** The file used when neither `--config` nor `SLUICE_CONFIG` names one (relative to the working directory). */
export const DEFAULT_CONFIG_PATH = 'config/sluice.yaml';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LoadConfigOptions {
  /** `--config`; wins over `SLUICE_CONFIG`. */
  readonly path?: string;
  /** Default process.env. Read: SLUICE_CONFIG, SLUICE_LOG_LEVEL. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default process.cwd(). */
  readonly cwd?: string;
  /** Checks each mapping entry after the basic checks. Default: the control plane's CreateEventSourceMapping validator. */
  readonly checkMapping?: MappingCheck;
}

/** `--config` > `SLUICE_CONFIG` > config/sluice.yaml, as an absolute path. */
export function resolveConfigPath(opts: LoadConfigOptions = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const chosen = opts.path ?? (env.SLUICE_CONFIG || undefined) ?? DEFAULT_CONFIG_PATH;
  return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
}

/** Reads, parses and validates the config file. Throws ConfigError listing every problem found. */
export function loadConfig(opts: LoadConfigOptions = {}): SluiceConfig {
  const file = resolveConfigPath(opts);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ file, path: '(file)', value: file, allowed: `a readable YAML config file (${code})` }], e);
  }
  return parseConfig(text, file, opts);
}

/** Parses and validates config text that came from `file` (relative paths resolve against its folder). */
export function parseConfig(text: string, file: string, opts: Omit<LoadConfigOptions, 'path' | 'cwd'> = {}): SluiceConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        const where = `line ${pos.line}, column ${pos.col}`;
        const line = text.split(/\r?\n/)[pos.line - 1] ?? '';
        return { file, path: where, value: line.trim(), allowed: `valid YAML (${err.message.split('\n')[0]})` };
      }),
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const problems = schemaProblems(raw, file);
  if (problems.length > 0) {
    // Structural problems make the full resolution unreliable; still check the handler files of
    // the function entries that are well-formed, so one run reports as much as possible.
    const fns = (raw as RawConfig).functions;
    if (fns && typeof fns === 'object' && !Array.isArray(fns)) {
      const clean = Object.fromEntries(
        Object.entries(fns).filter(([name]) => !problems.some((p) => p.path === 'functions' || p.path.startsWith(keyPath(['functions', name])))),
      );
      const region = (raw as RawConfig).aws?.region ?? 'us-east-1';
      resolveFunctions(clean, { file, baseDir: dirname(file), region: typeof region === 'string' ? region : 'us-east-1' }, problems);
    }
    throw new ConfigError(problems);
  }
  const cfg = resolveConfig(raw as RawConfig, file, opts, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(cfg);
}

interface RawConfig {
  server?: { host?: string; port?: number; auth?: { bearerToken?: string; accessKeys?: { accessKeyId: string; secretAccessKey: string }[] } };
  state?: { sqlite?: string; postgres?: string };
  aws?: {
    region?: string;
    accountId?: string;
    endpoints?: Record<string, string>;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    kafkaClusters?: Record<string, string[]>;
  };
  functions?: Parameters<typeof resolveFunctions>[0];
  mappings?: ConfigMapping[];
  embedded?: { enabled?: boolean; sqs?: { port?: number }; kinesis?: { port?: number }; demo?: { enabled?: boolean; recordsPerSecond?: number } };
  logging?: { level?: LogLevel };
  progress?: { enabled?: boolean; intervalSeconds?: number };
  shutdown?: { drainTimeoutSeconds?: number };
}

function resolveConfig(raw: RawConfig, file: string, opts: Omit<LoadConfigOptions, 'path' | 'cwd'>, problems: ConfigProblem[]): SluiceConfig {
  const env = opts.env ?? process.env;
  const baseDir = dirname(file);

  const server: ServerConfig = {
    host: raw.server?.host ?? '127.0.0.1',
    port: raw.server?.port ?? 9070,
    ...(raw.server?.auth
      ? {
          auth: {
            ...(raw.server.auth.bearerToken !== undefined ? { bearerToken: raw.server.auth.bearerToken } : {}),
            accessKeys: raw.server.auth.accessKeys ?? [],
          },
        }
      : {}),
  };

  let state: StateConfig;
  if (raw.state?.postgres !== undefined) state = { postgres: raw.state.postgres };
  else {
    const p = raw.state?.sqlite ?? './data/sluice.db';
    state = { sqlite: p === ':memory:' || isAbsolute(p) ? p : resolve(baseDir, p) };
  }

  const embedded: EmbeddedConfig = {
    enabled: raw.embedded?.enabled ?? false,
    sqs: { port: raw.embedded?.sqs?.port ?? 9324 },
    kinesis: { port: raw.embedded?.kinesis?.port ?? 4567 },
    demo: { enabled: raw.embedded?.demo?.enabled ?? true, recordsPerSecond: raw.embedded?.demo?.recordsPerSecond ?? 50 },
  };
  if (embedded.enabled) {
    for (const svc of ['sqs', 'kinesis'] as const) {
      const v = raw.aws?.endpoints?.[svc];
      if (v !== undefined) {
        problems.push({ file, path: `aws.endpoints.${svc}`, value: v, allowed: `no ${svc} endpoint while embedded.enabled is true (sluice points ${svc} at its embedded server)` });
      }
    }
  }

  const region = raw.aws?.region ?? 'us-east-1';
  const aws: AwsSettings = {
    region,
    accountId: raw.aws?.accountId ?? '000000000000',
    endpoints: { ...(raw.aws?.endpoints ?? {}) },
    ...(raw.aws?.credentials ? { credentials: { ...raw.aws.credentials } } : {}),
    ...(raw.aws?.kafkaClusters ? { kafkaClusters: { ...raw.aws.kafkaClusters } } : {}),
  };

  const functions = resolveFunctions(raw.functions, { file, baseDir, region }, problems);
  const mappings = raw.mappings ?? [];
  problems.push(...mappingProblems(mappings, { file, functions, aws }, opts.checkMapping ?? controlPlaneMappingCheck()));

  let level: LogLevel = raw.logging?.level ?? 'info';
  const envLevel = env.SLUICE_LOG_LEVEL;
  if (envLevel !== undefined && envLevel !== '') {
    if ((LOG_LEVELS as readonly string[]).includes(envLevel)) level = envLevel as LogLevel;
    else problems.push({ file: 'environment', path: 'SLUICE_LOG_LEVEL', value: envLevel, allowed: `one of ${LOG_LEVELS.join(', ')}` });
  }

  return {
    file,
    server,
    state,
    aws,
    functions,
    mappings,
    embedded,
    logging: { level },
    progress: { enabled: raw.progress?.enabled ?? true, intervalSeconds: raw.progress?.intervalSeconds ?? 1 },
    shutdown: { drainTimeoutSeconds: raw.shutdown?.drainTimeoutSeconds ?? 30 },
  };
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

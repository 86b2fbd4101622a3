import type { FunctionSpec } from '../core/functions.js';
import type { AwsSettings } from '../sources/source.js';
import type { LogLevel } from '../observability/logger.js';

/** One `server.auth.accessKeys[]` entry: requests signed with SigV4 by this key are accepted. */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** `server:` — the control plane (Lambda REST API), metrics and health endpoints. */
export interface ServerConfig {
  /** Default `127.0.0.1` (loopback only). */
  readonly host: string;
  /** Default `9070`. 0 picks a free port. */
  readonly port: number;
  /** Absent: no authentication (only sensible on loopback). */
  readonly auth?: { readonly bearerToken?: string; readonly accessKeys: readonly AccessKey[] };
}

/** `state:` — exactly one backend. A relative sqlite path is resolved against the config file's folder. */
export type StateConfig = { readonly sqlite: string } | { readonly postgres: string };

/** `embedded:` — local SQS and Kinesis servers started in-process, plus a demo producer. */
export interface EmbeddedConfig {
  /** Default false. */
  readonly enabled: boolean;
  /** local-aws-sqs port. Default 9324; 0 picks a free port. */
  readonly sqs: { readonly port: number };
  /** kinesalite port. Default 4567; 0 picks a free port. */
  readonly kinesis: { readonly port: number };
  /** Demo producer writing to queue `sluice-demo` and stream `sluice-demo`. */
  readonly demo: { readonly enabled: boolean; readonly recordsPerSecond: number };
}

/**
 * A mapping entry as written in the config file: AWS's CreateEventSourceMapping parameters
 * (PascalCase). The control plane's validator turns it into a MappingSpec.
 */
export type ConfigMapping = Readonly<Record<string, unknown>>;

/** The whole config file, validated, every default filled in, deeply frozen. */
export interface SluiceConfig {
  /** Absolute path of the file this came from. */
  readonly file: string;
  readonly server: ServerConfig;
  readonly state: StateConfig;
  readonly aws: AwsSettings;
  readonly functions: readonly FunctionSpec[];
  readonly mappings: readonly ConfigMapping[];
  readonly embedded: EmbeddedConfig;
  readonly logging: { readonly level: LogLevel };
  /** Console progress line. Default enabled, every 1 second. */
  readonly progress: { readonly enabled: boolean; readonly intervalSeconds: number };
  /** How long SIGINT/SIGTERM waits for in-flight batches. Default 30 s. */
  readonly shutdown: { readonly drainTimeoutSeconds: number };
}

/** Names of the demo resources the embedded mode creates. */
export const DEMO_QUEUE = 'sluice-demo';
export const DEMO_STREAM = 'sluice-demo';

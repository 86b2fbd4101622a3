import type { FunctionSpec } from '../core/functions.js';
import type { SluiceConfig, StateConfig } from '../config/types.js';
import type { EmbeddedAws } from '../embedded/index.js';
import type { FunctionRuntime } from '../invoke/runtime.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { Engine } from '../pipeline/engine.js';
import type { AwsSettings, SourceFactory } from '../sources/source.js';
import type { StateStore } from '../state/store.js';

/** What the daemon needs from the function runtimes (src/invoke/registry.ts). */
export interface RuntimesLike {
  get(name: string): FunctionRuntime | undefined;
  close(deadlineMs?: number): Promise<void>;
}

/** The Prometheus registry the control plane serves on /metrics (src/observability/metrics.ts). */
export interface MetricsLike {
  readonly contentType: string;
  text(): Promise<string>;
  close(): void;
}

export interface ControlPlaneDeps {
  readonly host: string;
  readonly port: number;
  readonly engine: Engine;
  readonly store: StateStore;
  readonly functions: readonly FunctionSpec[];
  readonly metrics?: { readonly contentType: string; text(): Promise<string> };
  readonly logger: Logger;
  readonly region: string;
  readonly accountId: string;
  readonly auth?: { readonly bearerToken?: string; readonly accessKeys?: readonly { readonly accessKeyId: string; readonly secretAccessKey: string }[] };
  /** False until the stored and config mappings are applied (and again while stopping): /healthz says 503. */
  readonly ready?: () => boolean;
}

export interface ControlPlaneLike {
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  /** The mapping operations behind the routes (src/control/mapping-service.ts), used to boot mappings. */
  readonly service?: {
    restore(): Promise<number>;
    applyConfigEntry(input: unknown): Promise<{ uuid: string; action: 'created' | 'updated' | 'unchanged' }>;
  };
}

/** What `bootMappings` gets: everything needed to restore stored mappings and apply config ones. */
export interface MappingBootContext {
  readonly config: SluiceConfig;
  /** Effective AWS settings (embedded endpoints filled in). */
  readonly aws: AwsSettings;
  readonly engine: Engine;
  readonly store: StateStore;
  readonly control: ControlPlaneLike;
  readonly logger: Logger;
}

/** Every collaborator of the daemon; `startDaemon` fills in the real ones for what is not given. */
export interface DaemonDeps {
  readonly logger: Logger;
  readonly events: PipelineEventBus;
  /** Console output (the started line, progress lines). Logs go to the logger. */
  readonly writeStdout: (line: string) => void;
  openStateStore(cfg: StateConfig): Promise<StateStore>;
  createRuntimes(functions: readonly FunctionSpec[], deps: { logger: Logger; region: string; accountId: string }): RuntimesLike;
  createSourceFactory(deps: { aws: AwsSettings; logger: Logger; events: PipelineEventBus }): SourceFactory;
  createEngine(deps: {
    runtimes: RuntimesLike;
    sourceFactory: SourceFactory;
    store: StateStore;
    events: PipelineEventBus;
    logger: Logger;
    aws: AwsSettings;
  }): Engine;
  /** `engine` lets the metrics read each mapping's state at scrape time. */
  createMetrics(events: PipelineEventBus, engine: Engine): MetricsLike | undefined;
  createControlPlane(deps: ControlPlaneDeps): ControlPlaneLike;
  /** Restores the mappings in the state store and applies the config file's `mappings:`. */
  bootMappings(ctx: MappingBootContext): Promise<void>;
  startEmbedded(cfg: SluiceConfig['embedded'], aws: AwsSettings, logger: Logger, signal?: AbortSignal): Promise<EmbeddedAws>;
}

/** A running daemon. */
export interface Daemon {
  /** Where the control plane listens. */
  readonly address: { readonly host: string; readonly port: number };
  /** AWS settings in effect (with the embedded servers' endpoints in embedded mode). */
  readonly aws: AwsSettings;
  readonly engine: Engine;
  readonly store: StateStore;
  readonly events: PipelineEventBus;
  readonly embedded?: EmbeddedAws;
  /** Drains with `shutdown.drainTimeoutSeconds`, then closes everything. Idempotent. */
  stop(): Promise<void>;
}

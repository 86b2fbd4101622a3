import type { MappingUuid } from '../core/ids.js';
import { MappingService, type MappingServiceDeps } from './mapping-service.js';

export type ConfigMappingAction = { readonly uuid: MappingUuid; readonly action: 'created' | 'updated' | 'unchanged' };

export interface StartupOptions {
  /**
   * The control plane's own service (`createControlPlane(...).service`), so the API sees the
   * operations started here as in progress. Default: a private one.
   */
  readonly service?: MappingService;
  /** Wait until the engine has applied every mapping. Default true. */
  readonly wait?: boolean;
}

/**
 * Applies the config file's `mappings:` entries at start-up, idempotently: an entry matches an
 * existing mapping by its `UUID` when it has one, else by EventSourceArn + FunctionName (Kafka: also
 * topic and bootstrap servers). Matches whose effective spec differs are replaced in place (same
 * UUID, checkpoints kept; the engine re-applies them), the rest are left alone; new entries are
 * created. All are marked config-managed. Config-managed mappings no longer in the file are kept.
 * Throws the first invalid entry's ApiError (validate them first with validateMappingInput to report
 * every problem).
 */
export async function applyConfigMappings(inputs: readonly unknown[], deps: MappingServiceDeps & StartupOptions): Promise<ConfigMappingAction[]> {
  const service = deps.service ?? new MappingService(deps);
  const out: ConfigMappingAction[] = [];
  for (const input of inputs) out.push(await service.applyConfigEntry(input));
  if (deps.wait ?? true) await service.idle();
  return out;
}

/**
 * Start-up: hands every mapping persisted in the state store to the engine again (each resumes from
 * its checkpoints) and finishes deletes that a crash interrupted. Resolves with the number
 * re-applied (after the engine applied them, unless `wait: false`).
 */
export async function restoreMappings(deps: MappingServiceDeps & StartupOptions): Promise<number> {
  const service = deps.service ?? new MappingService(deps);
  const n = await service.restore();
  if (deps.wait ?? true) await service.idle();
  return n;
}

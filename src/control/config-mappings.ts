import type { MappingUuid } from '../core/ids.js';
import { MappingService, type MappingServiceDeps } from './mapping-service.js';

export type ConfigMappingAction = { readonly uuid: MappingUuid; readonly action: 'created' | 'updated' | 'unchanged' };

/**
 * Applies the config file's `mappings:` entries at start-up, idempotently: an entry matches an
 * existing mapping by its `UUID` when it has one, else by EventSourceArn + FunctionName (Kafka: also
 * topic and bootstrap servers). Matches whose effective spec differs are replaced (engine re-applies
 * them), the rest are left alone; new entries are created. All are marked config-managed. Throws the
 * first entry's ApiError when an entry is invalid (validate them first with validateMappingInput to
 * report every problem). Resolves once the engine has applied them all.
 */
export async function applyConfigMappings(inputs: readonly unknown[], deps: MappingServiceDeps): Promise<ConfigMappingAction[]> {
  const service = new MappingService(deps);
  const out: ConfigMappingAction[] = [];
  for (const input of inputs) out.push(await service.applyConfigEntry(input));
  await service.idle();
  return out;
}

/**
 * Start-up: hands every mapping persisted in the state store to the engine again (each resumes from
 * its checkpoints) and finishes deletes a crash interrupted. Resolves with the number re-applied,
 * once the engine has applied them.
 */
export async function restoreMappings(deps: MappingServiceDeps): Promise<number> {
  const service = new MappingService(deps);
  const n = await service.restore();
  await service.idle();
  return n;
}

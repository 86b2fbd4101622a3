import { MappingService } from '../control/mapping-service.js';
import type { MappingBootContext } from './types.js';

/**
 * Start-up: hands every stored mapping back to the engine, then applies the config file's
 * `mappings:` (created, updated when changed, or left alone), through the control plane's
 * MappingService so status changes are persisted the same way as for API-created mappings.
 */
export async function bootMappings({ config, aws, engine, store, control, logger }: MappingBootContext): Promise<void> {
  const service = control.service ?? new MappingService({ engine, store, functions: config.functions, logger, region: aws.region, accountId: aws.accountId });
  const restored = await service.restore();
  for (const entry of config.mappings) {
    const r = await service.applyConfigEntry(entry);
    logger.info(`config mapping ${r.action}`, { mappingUuid: r.uuid });
  }
  logger.info('mappings restored', { restored, fromConfig: config.mappings.length });
}

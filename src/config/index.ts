export { loadConfig, parseConfig, resolveConfigPath, DEFAULT_CONFIG_PATH, type LoadConfigOptions } from './load.js';
export { functionKey, type MappingCheck, type MappingCheckContext } from './mappings.js';
export { DEMO_QUEUE, DEMO_STREAM, type SluiceConfig, type ConfigMapping, type ServerConfig, type StateConfig, type EmbeddedConfig } from './types.js';

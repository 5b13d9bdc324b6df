export { ResourceManager, type ResourceManagerOptions } from './resource-manager.js';
export { ConfigCache, type ConfigCacheStats } from './config-cache.js';
export { Config } from './config.js';
export { Lifecycle, type CleanupFn, type CleanupOptions } from './lifecycle.js';
export type { HttpSettings } from './http-client.js';
export type { Logger } from './logger.js';

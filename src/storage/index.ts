export * from './storage-driver.js';
export * from './signed-url.js';
export * from './file-utils.js';
export * from './local-storage.driver.js';
export * from './s3-storage.driver.js';
export * from './s3-source-resolver.js';
export { StorageModule, type StorageModuleOptions } from './storage.module.js';
export * from './keys.js';

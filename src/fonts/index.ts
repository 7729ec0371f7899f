export * from './font-config.js';
export * from './font-resolver.js';
export * from './font-sources.js';
export * from './fonts.module.js';
export { BUNDLED_FAMILIES } from './font-catalogue.js';

export * from './errors.js';
export * from './ip-policy.js';
export * from './guarded-fetcher.js';
export * from './net.module.js';

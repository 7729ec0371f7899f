export * from './quota.errors.js';
export * from './quota.service.js';
export * from './request-hash.js';
export * from './idempotency.service.js';
export * from './job-admission.service.js';
export * from './quota.module.js';

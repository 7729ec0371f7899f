export * from './webhook-signature.js';
export * from './callback-payload.js';
export * from './callback-sender.js';
export * from './callbacks.module.js';
export * from './callback-url-check.js';

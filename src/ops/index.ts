export * from './json-logger.js';
export * from './health.js';
export * from './metrics.js';
export * from './bull-board.js';
export * from './graceful-shutdown.js';
export * from './ops-queues.js';

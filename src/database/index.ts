export * from './entities/index.js';
export * from './migrations/index.js';
export * from './data-source.js';
export * from './migrate.js';
export * from './database.module.js';

export * from './job-status.js';
export * from './jobs.repository.js';
export * from './jobs.module.js';
export { RenderJobEntity } from '../database/entities/render-job.entity.js';

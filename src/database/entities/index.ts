export * from './render-job.entity.js';
export * from './user-quota-override.entity.js';
export * from './idempotency-key.entity.js';

import { RenderJobEntity } from './render-job.entity.js';
import { UserQuotaOverrideEntity } from './user-quota-override.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

/** Listed explicitly (no globs: globs break between ts sources and compiled dist). */
export const ENTITIES = [RenderJobEntity, UserQuotaOverrideEntity, IdempotencyKeyEntity];

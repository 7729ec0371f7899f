import { InitRenderSchema1767225600000 } from './1767225600000-InitRenderSchema.js';
import { RenderSegments1767312000000 } from './1767312000000-RenderSegments.js';
import { UserWebhookSecrets1767484800000 } from './1767484800000-UserWebhookSecrets.js';
import { JobWarnings1767571200000 } from './1767571200000-JobWarnings.js';
import { UploadGrantsAndRetention1767657600000 } from './1767657600000-UploadGrantsAndRetention.js';

/** Every migration, in order. Listed explicitly: no globs (ts sources vs compiled dist). */
export const MIGRATIONS = [
  InitRenderSchema1767225600000,
  RenderSegments1767312000000,
  UserWebhookSecrets1767484800000,
  JobWarnings1767571200000,
  UploadGrantsAndRetention1767657600000,
];

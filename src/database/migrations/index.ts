import { InitRenderSchema1767225600000 } from './1767225600000-InitRenderSchema.js';

/** Every migration, in order. Listed explicitly: no globs (ts sources vs compiled dist). */
export const MIGRATIONS = [InitRenderSchema1767225600000];

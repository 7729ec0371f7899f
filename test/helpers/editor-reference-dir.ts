// Where the editor's reference material lives: the editor's plugin server copy and the
// scenarios made by the editor's own code. Beside the repository (`../shared/editor-reference`)
// in development and in CI; EDITOR_REFERENCE_DIR overrides. It is reference material, never
// copied into the project: tests serve it and measure against it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './engine.js';

export const EDITOR_REFERENCE_DIR = process.env.EDITOR_REFERENCE_DIR ?? join(ROOT, '../shared/editor-reference');
export const EDITOR_PLUGIN_DIR = join(EDITOR_REFERENCE_DIR, 'plugin-server/plugins');
export const EDITOR_SCENARIOS_DIR = join(EDITOR_REFERENCE_DIR, 'scenarios');
/** The engine repository's own samples, beside the repository like the editor reference. */
export const SHARED_FIXTURES_DIR = process.env.SHARED_FIXTURES_DIR ?? join(ROOT, '../shared/fixtures');

/** Throws a clear error when the editor reference is not where the tests expect it. */
export function requireEditorReference(): void {
  if (!existsSync(EDITOR_PLUGIN_DIR)) {
    throw new Error(`editor reference not found at ${EDITOR_REFERENCE_DIR} (set EDITOR_REFERENCE_DIR)`);
  }
}

// The `editor` workload (issue 15): what the editor's users really render — a cwi preview made by
// the editor's own code (every word coloured by speaker, some loud, some whisper, some bouncing),
// 1080p30 at quality 90 (the editor's default export options), over a generated source as long
// as the scenario. The scenario is reference material beside the repository
// (`../shared/editor-reference`, EDITOR_REFERENCE_DIR overrides, as test/helpers/editor-reference-dir.ts);
// it is read, never copied into the project.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareScenario } from '../src/scenario/prepare-scenario.js';
import type { SourceSpec, Workload } from './workload-types.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)); // compiled to dist/bench/
export const EDITOR_SCENARIO_FILE = 'scenarios/editor-generated/fe-friends_result.cwi.preview-v20.json';
/** The editor's default export quality. */
export const EDITOR_QUALITY = 90;

export function editorReferenceDir(): string {
  return process.env.EDITOR_REFERENCE_DIR ?? join(REPO_ROOT, '../shared/editor-reference');
}

let cached: { scenario: Record<string, unknown>; source: SourceSpec } | undefined;

/** Reads the editor's scenario once; a missing reference is a clear error, not a skipped workload. */
function load(): { scenario: Record<string, unknown>; source: SourceSpec } {
  if (cached) return cached;
  const file = join(editorReferenceDir(), EDITOR_SCENARIO_FILE);
  if (!existsSync(file)) {
    throw new Error(
      `the editor workload needs the editor reference scenario ${file} (set EDITOR_REFERENCE_DIR to the editor-reference folder)`,
    );
  }
  const scenario = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const end = prepareScenario(scenario).lastCueEnd;
  if (!Number.isFinite(end) || end <= 0) throw new Error(`${file}: no cue with an end time (last cue end ${end})`);
  // As long as the scenario: its last cue end, rounded up to a whole second.
  // The standard source's picture (not imported: workloads.ts lists this workload).
  cached = { scenario, source: { width: 1920, height: 1080, fps: 30, audioHz: 440, x264Preset: 'veryfast', durationSec: Math.ceil(end) } };
  return cached;
}

export const EDITOR_WORKLOAD: Workload = {
  name: 'editor',
  description: `the editor's cwi preview of a real transcription (${EDITOR_SCENARIO_FILE}), 1080p30 testsrc2 + sine as long as the scenario, quality ${EDITOR_QUALITY}`,
  get source() {
    return load().source;
  },
  renderOptions: { quality: EDITOR_QUALITY },
  // The scenario is the editor's, whatever the source's length (--seconds cuts the video only).
  buildScenario: () => structuredClone(load().scenario),
};

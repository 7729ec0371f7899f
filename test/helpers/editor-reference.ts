// The editor as the reference, for tests (issue 10): the editor reference page (the editor's
// loader + motiontext-renderer, played), the one-plugin comparison, the caption-area metric, and
// the editor's plugin folder as a source. See src/parity/editor-reference/.
//
//   ensureEditorReferenceBundle();
//   const ref = await EditorReferencePage.open(await browser.newPage({ type: 'window' }),
//     { width: 640, height: 360, source: editorPluginSource() });   // or originPluginSource(origin.url, fetcher)
//   await ref.load(scenarioV2, { fps: 30 }); const png = await ref.frameAt(42);
//   const report = await runPluginParity({ browser, plugin: 'spin', source: editorPluginSource(), frames: 8 });
import { execFileSync } from 'node:child_process';
import { directoryPluginSource, type PluginFileSource } from '../../src/parity/editor-reference/plugin-source.js';
import { EDITOR_PLUGIN_DIR } from './editor-reference-dir.js';
import { ensureCaptionPageBundle, NODE_BIN, ROOT } from './engine.js';

export { EditorReferencePage, pluginRefsOf, EDITOR_PLUGIN_ORIGIN } from '../../src/parity/editor-reference/editor-reference-page.js';
export { directoryPluginSource, originPluginSource } from '../../src/parity/editor-reference/plugin-source.js';
export { runPluginParity, formatPluginParity, originPluginOf } from '../../src/parity/editor-reference/plugin-parity.js';
export type { PluginParityReport } from '../../src/parity/editor-reference/plugin-parity.js';
export { buildPluginScenario, pluginFrames, parsePluginRef } from '../../src/parity/editor-reference/plugin-scenario.js';
export { captionAreaDifference, summariseDiffs, meetsPluginGoal } from '../../src/parity/caption-area-diff.js';

/** Builds dist/editor-reference/editor-reference.js (and the caption page) when stale. */
export function ensureEditorReferenceBundle(): void {
  ensureCaptionPageBundle();
  execFileSync(NODE_BIN, ['scripts/build-editor-reference.mjs', '--if-stale'], { cwd: ROOT, stdio: 'pipe' });
}

/** The editor's plugin-server copy (../shared/editor-reference/plugin-server/plugins) as a source. */
export function editorPluginSource(): PluginFileSource {
  return directoryPluginSource(EDITOR_PLUGIN_DIR);
}

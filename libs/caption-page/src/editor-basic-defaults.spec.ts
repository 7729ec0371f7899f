// Our editor-basic plugins' parameter defaults equal the editor's manifests' (issue 10.2), for
// every parameter of both versions, and the plugin types we register equal the manifests' types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR_PLUGIN_DIR, requireEditorReference } from '../../../test/helpers/editor-reference-dir.js';
import { BUNDLED_PLUGINS } from './plugin-manifest.js';
import { EDITOR_BASIC_DEFAULTS } from './browser/plugins/editor-basic-defaults.js';
import { editorBasicPlugins } from './browser/plugins/editor-basic.js';

interface Manifest {
  type: string;
  schema: Record<string, { default?: unknown }>;
}
const manifest = (ref: string): Manifest => JSON.parse(readFileSync(join(EDITOR_PLUGIN_DIR, ref, 'manifest.json'), 'utf8')) as Manifest;
const REFS = Object.keys(EDITOR_BASIC_DEFAULTS).flatMap((n) => [`${n}@2.0.0`, `${n}@1.0.0`]);

beforeAll(() => requireEditorReference());

describe('editor basic plugins: defaults and types as the manifests say', () => {
  it.each(REFS)('%s', (ref) => {
    const name = ref.slice(0, ref.indexOf('@')) as keyof typeof EDITOR_BASIC_DEFAULTS;
    const m = manifest(ref);
    const fromManifest = Object.fromEntries(Object.entries(m.schema).map(([k, v]) => [k, v.default]));
    expect(EDITOR_BASIC_DEFAULTS[name]).toEqual(fromManifest);
    expect(BUNDLED_PLUGINS.find((p) => p.name === name)?.type).toBe(m.type);
    const module = editorBasicPlugins[ref] as unknown as Record<string, unknown>;
    expect(typeof module.evalChannels === 'function').toBe(m.type !== 'dom');
    expect(typeof module.animate === 'function').toBe(m.type !== 'channel');
  });
});

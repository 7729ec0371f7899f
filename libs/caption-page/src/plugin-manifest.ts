// The plugins this service ships inside the caption page bundle. Shared by the browser bundle
// (which registers them) and the server (which rejects scenarios naming anything else).
// A scenario names a plugin as "name" or "name@version"; a bare name means the newest version.

export type PluginType = 'channel' | 'dom' | 'hybrid';

export interface BundledPlugin {
  readonly name: string;
  /** Versions a scenario may ask for; the first is what a bare name resolves to. */
  readonly versions: readonly string[];
  /**
   * As the editor's manifest declares it: which module functions the engine calls. Unset: the
   * engine decides from the module's functions (evalChannels → channel, animate → dom).
   */
  readonly type?: PluginType;
}

const BOTH = ['2.0.0', '1.0.0'] as const;

export const BUNDLED_PLUGINS: readonly BundledPlugin[] = [
  // ---- our own (not on the editor's server): basic.ts
  { name: 'fadeIn', versions: BOTH, type: 'channel' },
  { name: 'fadeOut', versions: BOTH, type: 'channel' },
  { name: 'pop', versions: BOTH, type: 'channel' },
  { name: 'slideInLeft', versions: BOTH, type: 'channel' },
  { name: 'shakeX', versions: BOTH, type: 'channel' },
  { name: 'waveY', versions: BOTH, type: 'channel' },
  // ---- the editor's basic plugins: editor-basic.ts
  { name: 'fadein', versions: BOTH, type: 'dom' },
  { name: 'bobY', versions: BOTH, type: 'hybrid' },
  { name: 'glow', versions: BOTH, type: 'dom' },
  { name: 'pulse', versions: BOTH, type: 'hybrid' },
  { name: 'spin', versions: BOTH, type: 'channel' },
  { name: 'flames', versions: BOTH, type: 'dom' },
  { name: 'typewriter', versions: BOTH, type: 'dom' },
  // ---- the editor's cwi family: cwi.ts
  { name: 'cwi', versions: BOTH, type: 'dom' },
  { name: 'cwi-color', versions: BOTH, type: 'dom' },
  { name: 'cwi-loud', versions: BOTH, type: 'dom' },
  { name: 'cwi-whisper', versions: BOTH, type: 'dom' },
  // Manifests: 2.0.0 hybrid, 1.0.0 dom. One type per entry cannot say both, so it is left unset:
  // the engine then reads the module (2.0.0 has evalChannels + animate, 1.0.0 animate only).
  { name: 'cwi-bouncing', versions: BOTH },
  // ---- the editor's effects: editor-effects.ts
  { name: 'elastic', versions: BOTH, type: 'dom' },
  { name: 'glitch', versions: BOTH, type: 'dom' },
  { name: 'magnetic', versions: BOTH, type: 'dom' },
  { name: 'rotation', versions: BOTH, type: 'dom' },
  { name: 'scalepop', versions: BOTH, type: 'dom' },
  { name: 'slideup', versions: BOTH, type: 'dom' },
  { name: 'fliptype', versions: BOTH, type: 'hybrid' },
  // ---- end
];

export interface PluginRef {
  readonly name: string;
  readonly version: string;
}

/** Resolves "name" or "name@version" against the bundled plugins; null when we cannot load it. */
export function resolveBundledPlugin(ref: string): PluginRef | null {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : undefined;
  const plugin = BUNDLED_PLUGINS.find((p) => p.name === name);
  if (!plugin) return null;
  if (version === undefined) return { name, version: plugin.versions[0] };
  return plugin.versions.includes(version) ? { name, version } : null;
}

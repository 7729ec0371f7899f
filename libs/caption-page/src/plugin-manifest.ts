// The plugins this service ships inside the caption page bundle. Shared by the browser bundle
// (which registers them) and the server (which rejects scenarios naming anything else).
// A scenario names a plugin as "name" or "name@version"; a bare name means the newest version.

export interface BundledPlugin {
  readonly name: string;
  /** Versions a scenario may ask for; the first is what a bare name resolves to. */
  readonly versions: readonly string[];
}

export const BUNDLED_PLUGINS: readonly BundledPlugin[] = [
  { name: 'fadeIn', versions: ['2.0.0', '1.0.0'] },
  // The original plugin server spelled it "fadein" (DESIGN §3 example "fadein@2.0.0").
  { name: 'fadein', versions: ['2.0.0', '1.0.0'] },
  { name: 'fadeOut', versions: ['2.0.0', '1.0.0'] },
  { name: 'pop', versions: ['2.0.0', '1.0.0'] },
  { name: 'slideInLeft', versions: ['2.0.0', '1.0.0'] },
  { name: 'shakeX', versions: ['2.0.0', '1.0.0'] },
  { name: 'waveY', versions: ['2.0.0', '1.0.0'] },
  { name: 'bobY', versions: ['2.0.0', '1.0.0'] },
  { name: 'glow', versions: ['2.0.0', '1.0.0'] },
  { name: 'pulse', versions: ['2.0.0', '1.0.0'] },
  { name: 'spin', versions: ['2.0.0', '1.0.0'] },
  { name: 'flames', versions: ['2.0.0', '1.0.0'] },
  { name: 'typewriter', versions: ['2.0.0', '1.0.0'] },
  { name: 'cwi', versions: ['2.0.0', '1.0.0'] },
  { name: 'cwi-color', versions: ['2.0.0', '1.0.0'] },
  { name: 'cwi-loud', versions: ['2.0.0', '1.0.0'] },
  { name: 'cwi-whisper', versions: ['2.0.0', '1.0.0'] },
  { name: 'cwi-bouncing', versions: ['2.0.0', '1.0.0'] },
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

// How a scenario names a plugin: "name" or "name@version". A bare name means @2.0.0, as the
// editor's loader does (and as the first version of every bundled plugin). Names and versions are
// restricted to characters that are safe as one URL path segment and one folder name.

export const DEFAULT_PLUGIN_VERSION = '2.0.0';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const VERSION = /^[0-9][A-Za-z0-9.+-]{0,63}$/;

export interface PluginKey {
  readonly name: string;
  readonly version: string;
}

/** "name@version" of a parsed reference. */
export function pluginKey(p: PluginKey): string {
  return `${p.name}@${p.version}`;
}

/**
 * Parses "name" or "name@version"; null when either part has characters we never put in a URL
 * or a path (such a plugin cannot exist on the origin or in the bundle).
 */
export function parsePluginRef(ref: string): PluginKey | null {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : DEFAULT_PLUGIN_VERSION;
  if (!NAME.test(name) || !VERSION.test(version) || name.includes('..') || version.includes('..')) return null;
  return { name, version };
}

// Registers plugin modules with motiontext-renderer the way the editor does
// (registerExternalPlugin({name, version, module, baseUrl, manifest}): stored under "name" and
// "name@version"), each wrapped so its random numbers come from a seeded stream.
import { registerExternalPlugin } from 'motiontext-renderer';
import { BUNDLED_PLUGINS } from '../plugin-manifest.js';
import type { PagePluginDescriptor } from '../protocol.js';
import { PLUGIN_MODULES } from './plugins/index.js';
import { restartStream, withStream } from './seeded-random.js';

/** Where plugin folders are served from memory (CaptionPage: PLUGINS_URL). */
const PLUGINS_URL = `${location.origin}/plugins/`;

type AnyFn = (...args: unknown[]) => unknown;
type ModuleLike = Record<string, unknown>;

const registered = new Set<string>();

/**
 * Seek functions of our bundled plugins: pure functions of the progress (written that way), so
 * playback emulation need not replay earlier frames for them (playback.ts).
 */
export const HISTORY_FREE_SEEKERS = new WeakSet<object>();

export function registeredPlugins(): string[] {
  return Array.from(registered).sort();
}

export function isRegistered(ref: string): boolean {
  return registered.has(ref);
}

function nodeKeyOf(el: unknown): string {
  const holder = el instanceof Element ? el.closest<HTMLElement>('[data-node-key],[data-node-id]') : null;
  return holder?.dataset.nodeKey ?? holder?.dataset.nodeId ?? '?';
}

function stableParams(spec: unknown): string {
  try {
    return JSON.stringify((spec as { params?: unknown })?.params ?? null) ?? '';
  } catch {
    return '';
  }
}

/** A seek function or gsap timeline whose every call draws from the plugin's stream. */
function seededSeeker(key: string, seeker: unknown): unknown {
  if (typeof seeker === 'function') return (...a: unknown[]) => withStream(key, () => (seeker as AnyFn)(...a));
  if (!seeker || typeof seeker !== 'object') return seeker;
  return new Proxy(seeker, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (...a: unknown[]) => withStream(key, () => (v as AnyFn).apply(target, a)) : v;
    },
  });
}

/** The module with init/animate/evalChannels/cleanup running on a seeded stream per node. */
function seededModule(name: string, module: ModuleLike, historyFree = false): ModuleLike {
  const out: ModuleLike = { ...module };
  const init = module.init as AnyFn | undefined;
  const animate = module.animate as AnyFn | undefined;
  const evalChannels = module.evalChannels as AnyFn | undefined;
  const cleanup = module.cleanup as AnyFn | undefined;
  if (typeof init === 'function') {
    out.init = (el: unknown, ...rest: unknown[]) => {
      const key = `${nodeKeyOf(el)}|${name}`;
      restartStream(key);
      return withStream(key, () => init(el, ...rest));
    };
  }
  if (typeof animate === 'function') {
    out.animate = (el: unknown, ...rest: unknown[]) => {
      const key = `${nodeKeyOf(el)}|${name}`;
      if (typeof init !== 'function') restartStream(key);
      const seeker = seededSeeker(
        key,
        withStream(key, () => animate(el, ...rest)),
      );
      if (historyFree && seeker && (typeof seeker === 'function' || typeof seeker === 'object')) HISTORY_FREE_SEEKERS.add(seeker);
      return seeker;
    };
  }
  if (typeof evalChannels === 'function') {
    out.evalChannels = (spec: unknown, ...rest: unknown[]) => {
      const key = `channels|${name}|${stableParams(spec)}`;
      restartStream(key);
      return withStream(key, () => evalChannels(spec, ...rest));
    };
  }
  if (typeof cleanup === 'function') {
    out.cleanup = (el: unknown, ...rest: unknown[]) => withStream(`${nodeKeyOf(el)}|${name}`, () => cleanup(el, ...rest));
  }
  return out;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Our bundled catalogue. Versions oldest first, so a bare name means the newest (2.0.0), as it
 * does for the editor.
 */
export function registerBundledPlugins(): void {
  for (const plugin of BUNDLED_PLUGINS) {
    for (const version of [...plugin.versions].sort(compareVersions)) {
      const ref = `${plugin.name}@${version}`;
      const module = PLUGIN_MODULES[ref];
      if (!module) throw new Error(`caption page: no module for bundled plugin ${ref}`);
      const manifest = { name: plugin.name, version, entry: 'index.mjs', ...(plugin.type ? { type: plugin.type } : {}) };
      registerExternalPlugin({
        name: plugin.name,
        version,
        module: seededModule(plugin.name, module as unknown as ModuleLike, true),
        baseUrl: `${PLUGINS_URL}${ref}/`,
        manifest,
      });
      registered.add(ref);
    }
    registered.add(plugin.name);
  }
}

/**
 * Plugins the server fetched from the editor's plugin origin: imported from the folders we serve
 * from memory and registered over the bundled ones of the same name (oldest version first, so
 * the bare name ends on the newest).
 */
export async function registerOriginPlugins(plugins: readonly PagePluginDescriptor[]): Promise<void> {
  const sorted = [...plugins].sort((a, b) => compareVersions(a.version, b.version));
  for (const p of sorted) {
    const module = (await import(/* webpackIgnore: true */ p.entryUrl)) as ModuleLike;
    registerExternalPlugin({
      name: p.name,
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the origin's manifest, any JSON
      version: String(p.manifest.version ?? p.version),
      module: seededModule(p.name, module),
      baseUrl: p.baseUrl,
      manifest: p.manifest,
    });
    registered.add(`${p.name}@${p.version}`);
    registered.add(p.name);
  }
}

// Every plugin module the page registers, keyed "name@version". Must cover BUNDLED_PLUGINS
// (plugin-manifest.ts) exactly; main.ts checks that at startup. One record per area:
//   basic.ts          our own plugins, not on the editor's server
//   editor-basic.ts   the editor's bobY, pulse, spin, glow, flames, fadein, typewriter
//   cwi.ts            the editor's cwi family
//   editor-effects.ts the editor's elastic, glitch, magnetic, rotation, scalepop, slideup, fliptype
import { fadeIn, fadeOut, pop, shakeX, slideInLeft, waveY } from './basic.js';
import { cwiPlugins } from './cwi.js';
import { editorEffectPlugins } from './editor-effects.js';
import { editorBasicPlugins } from './editor-basic.js';
import type { PluginModule } from './util.js';

const both = (name: string, module: PluginModule): Record<string, PluginModule> => ({
  [`${name}@1.0.0`]: module,
  [`${name}@2.0.0`]: module,
});

const extraPlugins: Record<string, PluginModule> = {
  ...both('fadeIn', fadeIn),
  ...both('fadeOut', fadeOut),
  ...both('pop', pop),
  ...both('slideInLeft', slideInLeft),
  ...both('shakeX', shakeX),
  ...both('waveY', waveY),
};

export const PLUGIN_MODULES: Readonly<Record<string, PluginModule>> = {
  ...extraPlugins,
  ...editorBasicPlugins,
  ...cwiPlugins,
  ...editorEffectPlugins,
};

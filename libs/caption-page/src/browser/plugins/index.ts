// Every plugin module the page registers, keyed "name@version". Must cover BUNDLED_PLUGINS
// (plugin-manifest.ts) exactly; main.ts checks that at startup.
import { bobY, fadeIn, fadeOut, flames, glow, pop, pulse, shakeX, slideInLeft, spin, waveY } from './basic.js';
import { cwiPlugins } from './cwi.js';
import { typewriter } from './typewriter.js';
import type { PluginModule } from './util.js';

const both = (name: string, module: PluginModule): Record<string, PluginModule> => ({
  [`${name}@1.0.0`]: module,
  [`${name}@2.0.0`]: module,
});

export const PLUGIN_MODULES: Readonly<Record<string, PluginModule>> = {
  ...both('fadeIn', fadeIn),
  ...both('fadein', fadeIn),
  ...both('fadeOut', fadeOut),
  ...both('pop', pop),
  ...both('slideInLeft', slideInLeft),
  ...both('shakeX', shakeX),
  ...both('waveY', waveY),
  ...both('bobY', bobY),
  ...both('glow', glow),
  ...both('pulse', pulse),
  ...both('spin', spin),
  ...both('flames', flames),
  ...both('typewriter', typewriter),
  ...cwiPlugins,
};

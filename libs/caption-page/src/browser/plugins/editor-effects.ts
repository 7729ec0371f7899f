// Our own versions of the editor's effect plugins (issue 10.2): elastic, glitch, magnetic,
// rotation, scalepop, slideup (dom) and fliptype (hybrid), for @2.0.0 and @1.0.0 (the two
// versions of each behave the same in the editor). Written against the editor's manifests and
// measured against its plugins (see effects/*.ts); deterministic: what the editor draws at
// random comes from the node id here.
import { ELASTIC_DEFAULTS, elastic } from './effects/elastic.js';
import { FLIPTYPE_DEFAULTS, fliptype } from './effects/fliptype.js';
import { GLITCH_DEFAULTS, glitch } from './effects/glitch.js';
import { MAGNETIC_DEFAULTS, magnetic } from './effects/magnetic.js';
import { ROTATION_DEFAULTS, rotation } from './effects/rotation.js';
import { SCALEPOP_DEFAULTS, scalepop } from './effects/scalepop.js';
import { SLIDEUP_DEFAULTS, slideup } from './effects/slideup.js';
import type { PluginModule } from './util.js';

const MODULES: Record<string, PluginModule> = { elastic, glitch, magnetic, rotation, scalepop, slideup, fliptype };

/** Parameter defaults, equal to the manifests' `schema.*.default` (checked by effects.spec.ts). */
export const EDITOR_EFFECT_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  elastic: ELASTIC_DEFAULTS,
  glitch: GLITCH_DEFAULTS,
  magnetic: MAGNETIC_DEFAULTS,
  rotation: ROTATION_DEFAULTS,
  scalepop: SCALEPOP_DEFAULTS,
  slideup: SLIDEUP_DEFAULTS,
  fliptype: FLIPTYPE_DEFAULTS,
};

export const editorEffectPlugins: Record<string, PluginModule> = Object.fromEntries(
  Object.entries(MODULES).flatMap(([name, module]) => [
    [`${name}@2.0.0`, module],
    [`${name}@1.0.0`, module],
  ]),
);

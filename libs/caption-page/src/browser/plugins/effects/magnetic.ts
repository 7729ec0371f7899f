// magnetic (editor catalogue, dom): letters fade in one by one, are pulled off their place by up
// to ±magnetStrength px (half that vertically) and ±15°, spring back on an elastic curve and
// hum for a moment (±2 px). Timing and ranges follow the editor's plugin; the pulls are drawn
// from the node id and letter index, so every frame, segment and retry agree.
//
// Under its bare name "magnetic" the editor's preview jitters instead: the engine re-initialises
// that name on every frame (it looks for a [data-magnetic] descendant, the editor's plugin marks
// the root itself), so the pulls are drawn anew each frame. We reproduce that jitter with draws
// keyed by the progress value (the same p always draws the same), and keep the smooth version for
// "magnetic@2.0.0" / "@1.0.0", which the engine initialises once.
import { type EffectDescription, domEffect, numParam, type Layout } from './dom-effect.js';
import { splitLetters } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const MAGNETIC_DEFAULTS = { magnetStrength: 15, animationDuration: 1.2, attractionDelay: 0.1, elasticity: 0.8 };

const description: EffectDescription = {
  name: 'magnetic',
  layout(root, text): Layout {
    const letters = splitLetters(root, text, 'display:inline-block', 'ecg-magnetic-char');
    // The engine re-initialises a plugin named "magnetic" whose root lacks a [data-magnetic] descendant.
    letters[0]?.setAttribute('data-magnetic', '');
    return { spans: letters, targets: letters };
  },
  redrawEveryFrame(root, ctx) {
    const nodeId = root.closest('[data-node-id]')?.getAttribute('data-node-id');
    const scenario = (ctx as { scenario?: { scenario?: unknown } } | undefined)?.scenario?.scenario;
    return nodeId != null && pluginNamesOf(scenario, nodeId).includes('magnetic');
  },
  program(st, params, random) {
    const strength = numParam(params, 'magnetStrength', MAGNETIC_DEFAULTS.magnetStrength);
    const dur = numParam(params, 'animationDuration', MAGNETIC_DEFAULTS.animationDuration);
    const delay = numParam(params, 'attractionDelay', MAGNETIC_DEFAULTS.attractionDelay);
    const elasticity = numParam(params, 'elasticity', MAGNETIC_DEFAULTS.elasticity);
    const prog = new TweenProgram();
    st.targets.forEach((_, i) => {
      const t0 = i * delay;
      prog.set(i, { x: 0, y: 0, rotation: 0, opacity: 0 }, 0);
      prog.to(i, { opacity: 1 }, i * 0.05, 0.3, { ease: 'power2.out' });
      const pull = {
        x: random(i, 'x', -strength, strength),
        y: random(i, 'y', -strength / 2, strength / 2),
        rotation: random(i, 'rotation', -15, 15),
      };
      prog.to(i, pull, t0, dur * 0.4, { ease: 'power2.out' });
      prog.to(i, { x: 0, y: 0, rotation: 0 }, t0 + dur * 0.4, dur * 0.6, { ease: `elastic.out(${elasticity}, 0.3)` });
      const hum = { x: random(i, 'hum-x', -2, 2), y: random(i, 'hum-y', -1, 1) };
      prog.to(i, hum, t0 + dur * 0.7, 0.1, { ease: 'none', repeat: 3, yoyo: true });
    });
    return prog;
  },
};

/** The plugin names in the pluginChain of the scenario node `id` (the engine's parsed scenario). */
function pluginNamesOf(scenario: unknown, id: string): string[] {
  const cues = (scenario as { cues?: unknown[] } | undefined)?.cues;
  const stack: unknown[] = Array.isArray(cues) ? cues.map((c) => (c as { root?: unknown })?.root) : [];
  while (stack.length) {
    const n = stack.pop() as { id?: unknown; pluginChain?: unknown; children?: unknown } | undefined;
    if (!n || typeof n !== 'object') continue;
    if (n.id === id) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- names as the scenario wrote them, any JSON
      return Array.isArray(n.pluginChain) ? n.pluginChain.map((p) => String((p as { name?: unknown })?.name ?? '')) : [];
    }
    if (Array.isArray(n.children)) stack.push(...(n.children as unknown[]));
  }
  return [];
}

export const magnetic = domEffect(description);

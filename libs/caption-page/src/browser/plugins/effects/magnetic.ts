// magnetic (editor catalogue, dom): letters fade in one by one, are pulled off their place by up
// to ±magnetStrength px (half that vertically) and ±15°, spring back on an elastic curve and
// hum for a moment (±2 px). Timing and ranges follow the editor's plugin; the pulls are drawn
// from the node id and letter index, so every frame, segment and retry agree.
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

export const magnetic = domEffect(description);

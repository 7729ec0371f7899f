// scalepop (editor catalogue, dom): letters pop in one after another from nothing to
// `popScale` (back-out), flash pale yellow with a glow (colorPop), shrink back to size on an
// elastic curve and give a last small 1.1× pop. Timing follows the editor's plugin.
import { type EffectDescription, boolParam, domEffect, numParam, type Layout } from './dom-effect.js';
import { splitLetters } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const SCALEPOP_DEFAULTS = { popScale: 1.5, animationDuration: 1.2, staggerDelay: 0.08, bounceStrength: 0.6, colorPop: true };

const description: EffectDescription = {
  name: 'scalepop',
  layout(root, text): Layout {
    const letters = splitLetters(root, text, 'display:inline-block', 'ecg-scalepop-char');
    return { spans: letters, targets: letters };
  },
  program(st, params) {
    const pop = numParam(params, 'popScale', SCALEPOP_DEFAULTS.popScale);
    const dur = numParam(params, 'animationDuration', SCALEPOP_DEFAULTS.animationDuration);
    const stagger = numParam(params, 'staggerDelay', SCALEPOP_DEFAULTS.staggerDelay);
    const bounce = numParam(params, 'bounceStrength', SCALEPOP_DEFAULTS.bounceStrength);
    const colorPop = boolParam(params, 'colorPop', SCALEPOP_DEFAULTS.colorPop);
    const prog = new TweenProgram();
    st.targets.forEach((_, i) => {
      const t0 = i * stagger;
      prog.set(i, { scale: 0, opacity: 0, transformOrigin: '50% 50%' }, 0);
      prog.to(i, { scale: pop, opacity: 1 }, t0, dur * 0.4, { ease: 'back.out(2)' });
      if (colorPop) {
        prog.to(i, { color: '#ffff99', textShadow: '0 0 10px rgba(255,255,153,0.8)' }, t0 + dur * 0.1, dur * 0.2, { ease: 'power2.out' });
        prog.to(i, { color: '#ffffff', textShadow: '0 0 0px rgba(255,255,153,0)' }, t0 + dur * 0.3, dur * 0.4, { ease: 'power2.out' });
      }
      prog.to(i, { scale: 1 }, t0 + dur * 0.4, dur * 0.6, { ease: `elastic.out(${bounce}, 0.3)` });
      prog.to(i, { scale: 1.1 }, t0 + dur * 0.8, 0.1, { ease: 'power2.out', repeat: 1, yoyo: true });
    });
    return prog;
  },
};

export const scalepop = domEffect(description);

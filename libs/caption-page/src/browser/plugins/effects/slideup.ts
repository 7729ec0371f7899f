// slideup (editor catalogue, dom): words rise `slideDistance` px into place one after another
// (with the chosen ease), fade in from blurred and grey to sharp white, and — unless the ease is
// back.out — overshoot 2 px and settle. Timing follows the editor's plugin.
import { type EffectDescription, boolParam, domEffect, numParam, strParam, type Layout } from './dom-effect.js';
import { splitWords } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const SLIDEUP_DEFAULTS = { slideDistance: 30, animationDuration: 1, staggerDelay: 0.12, easeType: 'power2.out', blurEffect: true };

const description: EffectDescription = {
  name: 'slideup',
  layout(root, text): Layout {
    const words = splitWords(root, text, 'display:inline-block;overflow:hidden', 'ecg-slideup-word');
    return { spans: words, targets: words };
  },
  program(st, params) {
    const distance = numParam(params, 'slideDistance', SLIDEUP_DEFAULTS.slideDistance);
    const dur = numParam(params, 'animationDuration', SLIDEUP_DEFAULTS.animationDuration);
    const stagger = numParam(params, 'staggerDelay', SLIDEUP_DEFAULTS.staggerDelay);
    const ease = strParam(params, 'easeType', SLIDEUP_DEFAULTS.easeType);
    const blur = boolParam(params, 'blurEffect', SLIDEUP_DEFAULTS.blurEffect);
    const prog = new TweenProgram();
    st.targets.forEach((_, i) => {
      const t0 = i * stagger;
      prog.set(i, { y: distance, opacity: 0, filter: blur ? 'blur(3px)' : 'none' }, 0);
      prog.to(i, { y: 0, opacity: 1, filter: 'blur(0px)' }, t0, dur, { ease });
      if (ease !== 'back.out') {
        prog.to(i, { y: -2 }, t0 + dur * 0.8, dur * 0.2, { ease: 'power1.out' });
        prog.to(i, { y: 0 }, t0 + dur, dur * 0.2, { ease: 'power1.inOut' });
      }
      prog.fromTo(i, { color: '#888888' }, { color: '#ffffff' }, t0 + dur * 0.2, dur * 0.6, { ease: 'power1.out' });
    });
    return prog;
  },
};

export const slideup = domEffect(description);

// elastic (editor catalogue, dom): the words pop up one after another from `startScale`,
// overshoot to `overshoot` on an elastic curve (with a slight random tilt of up to ±3°), settle
// to full size, and brighten from grey to white while a faint white glow comes and goes.
// Word layout and timing follow the editor's plugin (word spans with 0.1em side margins; each
// word starts `staggerDelay` after the previous one); the tilt is drawn from the node id.
import { type EffectDescription, domEffect, numParam, type Layout } from './dom-effect.js';
import { span, splitWords } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const ELASTIC_DEFAULTS = { bounceStrength: 0.7, animationDuration: 1.5, staggerDelay: 0.1, startScale: 0, overshoot: 1.3 };

const WORD_CSS = 'display:inline-block;margin:0 0.1em';

const description: EffectDescription = {
  name: 'elastic',
  layout(root, text): Layout {
    const words = splitWords(root, text, WORD_CSS, 'ecg-elastic-word');
    return { spans: words, targets: words };
  },
  placeholder(root) {
    // The editor's plugin shows this greeting in place of a blank text.
    root.appendChild(span('안녕하세요!', '', 'ecg-elastic-placeholder'));
    return { spans: [], targets: [] };
  },
  program(st, params, random) {
    const strength = numParam(params, 'bounceStrength', ELASTIC_DEFAULTS.bounceStrength);
    const dur = numParam(params, 'animationDuration', ELASTIC_DEFAULTS.animationDuration);
    const stagger = numParam(params, 'staggerDelay', ELASTIC_DEFAULTS.staggerDelay);
    const startScale = numParam(params, 'startScale', ELASTIC_DEFAULTS.startScale);
    const overshoot = numParam(params, 'overshoot', ELASTIC_DEFAULTS.overshoot);
    const prog = new TweenProgram();
    st.targets.forEach((_, i) => {
      const t0 = i * stagger;
      prog.set(i, { scale: startScale, transformOrigin: '50% 100%', opacity: 0 }, 0);
      prog.to(i, { scale: overshoot, opacity: 1, rotation: random(i, 'tilt', -3, 3) }, t0, dur * 0.4, {
        ease: `elastic.out(${strength}, 0.3)`,
      });
      prog.to(i, { scale: 1, rotation: 0 }, t0 + dur * 0.4, dur * 0.3, { ease: `elastic.out(${strength}, 0.2)` });
      prog.fromTo(i, { color: '#666666' }, { color: '#ffffff' }, t0 + dur * 0.2, dur * 0.6, { ease: 'power2.out' });
      prog.to(i, { textShadow: '0 2px 8px rgba(255,255,255,0.2)' }, t0 + dur * 0.5, dur * 0.3, { ease: 'power1.out' });
      prog.to(i, { textShadow: '0 0 0px rgba(255,255,255,0)' }, t0 + dur * 0.8, 0.5, { ease: 'power1.out' });
    });
    return prog;
  },
};

export const elastic = domEffect(description);

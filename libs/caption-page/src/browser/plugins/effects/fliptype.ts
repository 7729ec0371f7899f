// fliptype (editor catalogue, hybrid): a typing reveal — letters appear one after another
// (fading in from 0.8×, back-out), starting at `typingDelay` of the plugin window at
// `typingSpeed` letters per second of a normalised one-second window — plus a card-flip channel
// (rotateY, or rotateX when vertical) eased over the first `flipDuration` of the window. The
// engine applies that channel as the --mtx-rotateY / --mtx-rotateX variable, which nothing in
// the engine's base transform reads, so in the editor's preview the flip does not show; we
// return the same channel and show the same.
import { type DomPluginModule, type PluginSpec, clamp01 } from '../util.js';
import { type EffectDescription, domEffect, numParam, strParam, type Layout } from './dom-effect.js';
import { splitLetters } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const FLIPTYPE_DEFAULTS = { typingSpeed: 15, flipDuration: 0.6, flipAngle: 180, flipDirection: 'horizontal', typingDelay: 0.3 };

/** The engine calls animate() with a duration of 1: the timeline is in fractions of the window. */
const WINDOW = 1;

function layout(root: HTMLElement, text: string): Layout {
  const box = document.createElement('span');
  box.className = 'ecg-fliptype';
  box.style.display = 'inline-block';
  root.appendChild(box);
  const letters = splitLetters(box, text, 'opacity:0;display:inline-block;transform:scale(0.8)', 'ecg-fliptype-char');
  return { spans: letters, targets: letters };
}

const description: EffectDescription = {
  name: 'fliptype',
  layout,
  // The editor's plugin types this placeholder for a blank text.
  placeholder: (root) => layout(root, 'Flip Type Effect'),
  program(st, params) {
    const speed = numParam(params, 'typingSpeed', FLIPTYPE_DEFAULTS.typingSpeed);
    const start = numParam(params, 'typingDelay', FLIPTYPE_DEFAULTS.typingDelay);
    const n = st.targets.length;
    const end = Math.min(1, start + n / speed / WINDOW);
    const step = (end - start) / n;
    const prog = new TweenProgram().extendTo(start);
    st.targets.forEach((_, i) => {
      const at = start + i * step;
      const until = Math.min(1, at + 0.1);
      prog.fromTo(i, { opacity: 0, scale: 0.8 }, { opacity: 1, scale: 1 }, at, until - at, { ease: 'back.out(1.7)' });
    });
    return prog;
  },
};

function evalChannels(spec: PluginSpec, progress: number): Record<string, number> {
  const params = spec?.params ?? {};
  const angle = numParam(params, 'flipAngle', FLIPTYPE_DEFAULTS.flipAngle);
  const direction = strParam(params, 'flipDirection', FLIPTYPE_DEFAULTS.flipDirection);
  const flipDuration = numParam(params, 'flipDuration', FLIPTYPE_DEFAULTS.flipDuration);
  const f = Math.min(clamp01(progress) / flipDuration, 1);
  // Quadratic in, cubic out: the editor's curve (not symmetric, it jumps slightly at the middle).
  const eased = f < 0.5 ? 2 * f * f : 1 - Math.pow(-2 * f + 2, 3) / 2;
  return direction === 'vertical' ? { rotateX: eased * angle } : { rotateY: eased * angle };
}

export const fliptype: DomPluginModule = { ...domEffect(description), evalChannels };

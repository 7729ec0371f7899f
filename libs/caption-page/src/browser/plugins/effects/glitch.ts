// glitch (editor catalogue, dom): the text jitters like a broken signal — a white layer shaken
// by up to ±glitchIntensity px, red and cyan copies behind it (screen blend) flickering and
// drifting, two blinks, a short blur/desaturate burst and a skew "skip", then everything eases
// back before the cycle ends. Layers, timing and amplitude ranges follow the editor's plugin;
// its random draws come from the node id, so every frame and segment agree.
// `glitchFrequency` is in the manifest but the editor's plugin never reads it; neither do we.
import { type EffectDescription, boolParam, domEffect, numParam, type Layout } from './dom-effect.js';
import { span } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const GLITCH_DEFAULTS = { glitchIntensity: 5, animationDuration: 2, glitchFrequency: 0.3, colorSeparation: true, noiseEffect: true };

const LAYER_CSS = 'position:absolute;top:0;left:0;mix-blend-mode:screen;opacity:0.5';

function layout(root: HTMLElement, text: string, params: Record<string, unknown>): Layout {
  const box = document.createElement('div');
  box.className = 'ecg-glitch';
  box.style.cssText = 'position:relative;display:inline-block';
  // The engine re-initialises a plugin named "glitch" whose root lacks a [data-glitch] descendant.
  box.setAttribute('data-glitch', '');
  const main = span(text, 'position:relative;z-index:3;color:#ffffff', 'ecg-glitch-main');
  box.appendChild(main);
  const targets: HTMLElement[] = [main];
  if (params.colorSeparation !== false) {
    const red = span(text, `${LAYER_CSS};z-index:1;color:#ff0040`, 'ecg-glitch-red');
    const cyan = span(text, `${LAYER_CSS};z-index:2;color:#00ffff`, 'ecg-glitch-cyan');
    box.append(red, cyan);
    targets.push(red, cyan);
  }
  root.appendChild(box);
  return { spans: targets, targets };
}

const description: EffectDescription = {
  name: 'glitch',
  layout,
  // The editor's plugin writes this placeholder for a blank text (in every layer).
  placeholder: (root, params) => layout(root, '글리치 효과', params),
  program(st, params, random) {
    const amp = numParam(params, 'glitchIntensity', GLITCH_DEFAULTS.glitchIntensity);
    const cycle = numParam(params, 'animationDuration', GLITCH_DEFAULTS.animationDuration);
    const separation = boolParam(params, 'colorSeparation', GLITCH_DEFAULTS.colorSeparation);
    const noise = boolParam(params, 'noiseEffect', GLITCH_DEFAULTS.noiseEffect);
    const layers = st.targets.length > 1;
    const prog = new TweenProgram();
    const none = { ease: 'none' };
    // Shake: two out-and-back jolts of the white layer.
    prog.to(0, { x: random(0, 'x', -amp, amp), y: random(0, 'y', -amp / 2, amp / 2) }, 0, 0.1, { ...none, repeat: 3, yoyo: true });
    if (separation && layers) {
      prog.to(1, { x: random(1, 'x', -amp / 2, amp / 2), opacity: random(1, 'opacity', 0.3, 0.8) }, 0, 0.05, {
        ...none,
        repeat: 5,
        yoyo: true,
      });
      prog.to(2, { x: random(2, 'x', -amp / 2, amp / 2), opacity: random(2, 'opacity', 0.3, 0.8) }, 0.1, 0.07, {
        ...none,
        repeat: 4,
        yoyo: true,
      });
    }
    // Blinks: one out-and-back, then a triple that leaves the white layer hidden until the reset.
    prog.to(0, { opacity: 0 }, 0.5, 0.05, { repeat: 1, yoyo: true });
    prog.to(0, { opacity: 0 }, 1, 0.03, { repeat: 2, yoyo: true });
    if (noise) prog.to(0, { filter: 'blur(1px) saturate(2) contrast(1.2)' }, 0.3, 0.1, { ...none, repeat: 1, yoyo: true });
    // Digital skip.
    prog.to(0, { scaleY: 0.8, skewX: random(0, 'skew', -5, 5) }, 1.2, 0.05, { ...none, repeat: 1, yoyo: true });
    // Everything back in place before the cycle ends.
    st.targets.forEach((_, i) => {
      const opacity = i === 0 ? 1 : separation ? 0.5 : 0;
      prog.to(i, { x: 0, y: 0, scaleY: 1, skewX: 0, filter: 'none', opacity }, cycle - 0.2, 0.2, { ease: 'power2.out' });
    });
    return prog;
  },
};

export const glitch = domEffect(description);

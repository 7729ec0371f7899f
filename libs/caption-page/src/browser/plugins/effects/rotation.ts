// rotation (editor catalogue, dom): letters spin in around the chosen axes (Y by default) from
// −¼ turn to `rotationDegrees` while growing from half size and fading in, snap back to 0° with
// a slight overshoot, then wobble a few degrees. As in the editor's plugin, the animated letters
// sit in a block *below* the node's own text, which stays in place: the editor shows the
// caption twice while rotation runs, and we reproduce what it shows.
import { type EffectDescription, boolParam, domEffect, numParam, type Layout } from './dom-effect.js';
import { splitLetters } from './effect-dom.js';
import { TweenProgram } from './tween-program.js';

export const ROTATION_DEFAULTS = {
  rotationDegrees: 360,
  animationDuration: 1.5,
  staggerDelay: 0.1,
  perspective: 800,
  axisX: false,
  axisY: true,
  axisZ: false,
};

const description: EffectDescription = {
  name: 'rotation',
  layout(root, text, params): Layout {
    root.appendChild(document.createTextNode(text));
    const box = document.createElement('div');
    box.className = 'ecg-rotation';
    box.style.transformStyle = 'preserve-3d';
    box.style.perspective = `${numParam(params, 'perspective', ROTATION_DEFAULTS.perspective) || ROTATION_DEFAULTS.perspective}px`;
    root.appendChild(box);
    const letters = splitLetters(box, text, 'display:inline-block;transform-style:preserve-3d', 'ecg-rotation-char');
    return { spans: letters, targets: letters };
  },
  program(st, params, random, root) {
    const deg = numParam(params, 'rotationDegrees', ROTATION_DEFAULTS.rotationDegrees);
    const dur = numParam(params, 'animationDuration', ROTATION_DEFAULTS.animationDuration);
    const stagger = numParam(params, 'staggerDelay', ROTATION_DEFAULTS.staggerDelay);
    const perspective = numParam(params, 'perspective', ROTATION_DEFAULTS.perspective);
    const ax = boolParam(params, 'axisX', ROTATION_DEFAULTS.axisX);
    const ay = boolParam(params, 'axisY', ROTATION_DEFAULTS.axisY);
    const az = boolParam(params, 'axisZ', ROTATION_DEFAULTS.axisZ);
    const box = root.querySelector<HTMLElement>('.ecg-rotation');
    if (box) box.style.perspective = `${perspective}px`;
    const turn = (on: boolean, v: number) => (on ? v : 0);
    const prog = new TweenProgram();
    st.targets.forEach((_, i) => {
      const t0 = i * stagger;
      prog.set(
        i,
        { rotationX: turn(ax, -deg / 4), rotationY: turn(ay, -deg / 4), rotation: turn(az, -deg / 4), opacity: 0, scale: 0.5 },
        0,
      );
      prog.to(i, { rotationX: turn(ax, deg), rotationY: turn(ay, deg), rotation: turn(az, deg), opacity: 1, scale: 1.1 }, t0, dur * 0.7, {
        ease: 'power2.out',
      });
      prog.to(i, { rotationX: 0, rotationY: 0, rotation: 0, scale: 1 }, t0 + dur * 0.7, dur * 0.3, { ease: 'back.out(1.7)' });
      const wobble = { rotationY: turn(ay, random(i, 'wobble-y', -5, 5)), rotationX: turn(ax, random(i, 'wobble-x', -3, 3)) };
      prog.to(i, wobble, t0 + dur * 0.8, 0.1, { ease: 'none', repeat: 2, yoyo: true });
    });
    return prog;
  },
};

export const rotation = domEffect(description);

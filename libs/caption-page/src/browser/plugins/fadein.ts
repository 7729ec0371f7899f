// fadein (dom): the letters fade in one after another. Each letter (an inline-block span) starts
// grey (#999999), transparent (startOpacity) and small (scaleStart); from i × staggerDelay it eases
// (`ease`) over animationDuration to white, opaque and full size, brightening from black to
// brightness(1.3) with a soft white halo, a small 1.03 swell at 60–100 % of its fade, then the halo fades over 0.4 s.
// The editor drives that timeline with progress(p): the whole sequence, (n−1)·stagger +
// animationDuration + 0.4 "seconds" long, is stretched over the plugin's window.
// Like the editor: the text is coloured white (its own colours), and a node whose text is
// blank shows the editor's placeholder "안녕하세요!" without animation.
import { gsapEase, numberParam, rememberTarget, round4 } from './editor-timing.js';
import { EDITOR_BASIC_DEFAULTS } from './editor-basic-defaults.js';
import { pluginWindowSeconds } from './plugin-window.js';
import { graphemes } from './util.js';
import type { DomPluginModule } from './util.js';

const PLACEHOLDER = '안녕하세요!';
const HALO_FADE = 0.4; // seconds, fixed in the editor's timeline
const SWELL = 1.03;
const PREVIEW_FPS = 30;
const DEFAULTS = EDITOR_BASIC_DEFAULTS.fadein;

interface FadeState {
  original: Node[];
  chars: HTMLSpanElement[];
}
const STATE = new WeakMap<HTMLElement, FadeState>();

export const fadein: DomPluginModule = {
  init(el, _params, ctx) {
    rememberTarget(el, ctx);
    fadein.cleanup(el);
    const text = el.textContent ?? '';
    const original = Array.from(el.childNodes);
    for (const n of original) el.removeChild(n);
    const chars: HTMLSpanElement[] = [];
    if (!text.trim()) {
      el.appendChild(document.createTextNode(PLACEHOLDER));
    } else {
      for (const g of graphemes(text)) {
        const s = document.createElement('span');
        s.className = 'ecg-fade-char';
        s.textContent = g === ' ' ? '\u00A0' : g;
        s.style.display = 'inline-block';
        s.style.position = 'relative';
        el.appendChild(s);
        chars.push(s);
      }
    }
    STATE.set(el, { original, chars });
  },
  animate(el, params, ctx) {
    const st = STATE.get(el);
    if (!st || st.chars.length === 0) return () => {};
    const stagger = numberParam(params?.staggerDelay, DEFAULTS.staggerDelay);
    const dur = Math.max(1e-4, numberParam(params?.animationDuration, DEFAULTS.animationDuration));
    const startOpacity = numberParam(params?.startOpacity, DEFAULTS.startOpacity);
    const scaleStart = numberParam(params?.scaleStart, DEFAULTS.scaleStart);
    const ease = gsapEase(params?.ease ?? DEFAULTS.ease);
    const swellOut = gsapEase('power2.out');
    const haloOut = gsapEase('power1.out');
    const total = (st.chars.length - 1) * stagger + dur + HALO_FADE;
    // As the preview plays, a letter's swell starts from the scale its fade has reached on the
    // first preview frame (30 a second) at or after 60 % of the fade; without the window in
    // seconds, at 60 % exactly.
    const win = pluginWindowSeconds(el, ctx, 'fadein');
    const swellFrom = st.chars.map((_, i) => {
      let u = 0.6 * dur;
      if (win && win[1] > win[0]) {
        const secs = win[0] + ((i * stagger + 0.6 * dur) / total) * (win[1] - win[0]);
        const frame = Math.ceil(secs * PREVIEW_FPS - 1e-6) / PREVIEW_FPS;
        u = ((frame - win[0]) / (win[1] - win[0])) * total - i * stagger;
      }
      return scaleStart + (1 - scaleStart) * ease(Math.min(1, u / dur));
    });
    return (p) => {
      if (!(Math.round(p * total * 1e7) > 0)) {
        // The editor's first progress(p) after init renders nothing when GSAP's time (rounded to
        // 1e-7) is still 0: on the window's first instant the letters show as plain text.
        for (const c of st.chars) {
          for (const prop of ['opacity', 'transform', 'transform-origin', 'color', 'filter', 'text-shadow']) c.style.removeProperty(prop);
        }
        return;
      }
      const time = (p > 1 ? 1 : p) * total;
      st.chars.forEach((c, i) => {
        const u = time - i * stagger;
        const s = c.style;
        s.transformOrigin = 'center center';
        if (u <= 0) {
          s.opacity = String(startOpacity);
          s.transform = `scale(${round4(scaleStart)})`;
          s.color = 'rgb(153, 153, 153)';
          s.filter = '';
          s.textShadow = '';
          return;
        }
        const e = ease(Math.min(1, u / dur));
        s.opacity = String(round4(startOpacity + (1 - startOpacity) * e));
        let scale = scaleStart + (1 - scaleStart) * e;
        if (u >= 0.6 * dur) {
          const q = (u - 0.6 * dur) / (0.2 * dur);
          const k = q >= 2 ? 0 : q <= 1 ? swellOut(q) : swellOut(2 - q);
          scale = swellFrom[i] + (SWELL - swellFrom[i]) * k;
        }
        s.transform = `scale(${round4(scale)})`;
        const grey = Math.round(153 + 102 * e);
        s.color = `rgb(${grey}, ${grey}, ${grey})`;
        // GSAP tweens filter and text-shadow up from "none" as brightness(0) and a black,
        // transparent, unblurred shadow: the letter brightens from black while it fades in.
        const h = u < dur ? 0 : haloOut(Math.min(1, (u - dur) / HALO_FADE));
        const halo = u < dur ? e : 1 - h;
        const shade = Math.round(u < dur ? 255 * e : 255);
        s.filter = `brightness(${round4(u < dur ? 1.3 * e : 1.3 - 0.3 * h)})`;
        s.textShadow = `rgba(${shade}, ${shade}, ${shade}, ${round4(0.3 * halo)}) 0px 0px ${round4(5 * halo)}px`;
      });
    };
  },
  cleanup(el) {
    const st = STATE.get(el);
    if (!st) return;
    while (el.firstChild) el.removeChild(el.firstChild);
    for (const n of st.original) el.appendChild(n);
    STATE.delete(el);
  },
};

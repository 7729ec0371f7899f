// typewriter (dom): types the node's text one character every `typingSpeed` of the window, with a
// cursor after it. As in the editor, the engine normalises the window to 1 "second", so
// typingSpeed 0.05 means 20 characters per window (a longer text stops at 20 characters), and
// the cursor (its own span, in the flow, white, normal weight) shows over the first half of the
// window, hides over the second, and shows again at the end (p = 1). A blank node types the
// editor's placeholder "타이핑 효과 테스트". Built with textContent only (never HTML);
// cleanup puts the original child nodes back.
//
// The editor also starts a wall-clock GSAP tween whenever the typed text changes: the text's
// text-shadow goes to a 5 px white glow and back over 0.16 s, from whatever it was — so a new
// character during a flash leaves a glow behind for good. As the preview plays (30 frames a
// second, real time), ours replays those tweens deterministically: paused GSAP tweens set to
// the ages they would have at the node's time (seconds from the scenario, plugin-window.ts).
import { boolParam, numberParam, rememberTarget } from './editor-timing.js';
import { pluginWindowSeconds } from './plugin-window.js';
import { EDITOR_BASIC_DEFAULTS } from './editor-basic-defaults.js';
import type { DomPluginModule } from './util.js';

const PLACEHOLDER = '타이핑 효과 테스트';
const DEFAULTS = EDITOR_BASIC_DEFAULTS.typewriter;

interface TypeState {
  original: Node[];
  text: string;
  typed: HTMLSpanElement;
  cursor: HTMLSpanElement | null;
}
const STATE = new WeakMap<HTMLElement, TypeState>();

export const typewriter: DomPluginModule = {
  init(el, params, ctx) {
    rememberTarget(el, ctx);
    typewriter.cleanup(el);
    const own = el.textContent ?? '';
    const text = own.trim() ? own : PLACEHOLDER;
    const original = Array.from(el.childNodes);
    for (const n of original) el.removeChild(n);
    const box = document.createElement('span');
    box.className = 'ecg-typewriter';
    box.style.display = 'inline-block';
    const typed = document.createElement('span');
    typed.className = 'ecg-typewriter-text';
    box.appendChild(typed);
    let cursor: HTMLSpanElement | null = null;
    if (boolParam(params?.showCursor, DEFAULTS.showCursor)) {
      cursor = document.createElement('span');
      cursor.className = 'ecg-typewriter-cursor';
      cursor.textContent = typeof params?.cursorChar === 'string' ? params.cursorChar : DEFAULTS.cursorChar;
      cursor.style.color = '#ffffff';
      cursor.style.fontWeight = 'normal';
      box.appendChild(cursor);
    }
    el.appendChild(box);
    STATE.set(el, { original, text, typed, cursor });
  },
  animate(el, params, ctx) {
    const st = STATE.get(el);
    if (!st) return () => {};
    const gsap = gsapOf(ctx);
    const win = pluginWindowSeconds(el, ctx, 'typewriter');
    const starts = win ? flashStarts(win, (x) => countAt(st.text, x, numberParam(params?.typingSpeed, DEFAULTS.typingSpeed))) : [];
    const froms: string[] = [];
    const speed = numberParam(params?.typingSpeed, DEFAULTS.typingSpeed);
    const blink = boolParam(params?.cursorBlink, DEFAULTS.cursorBlink);
    const full = st.text;
    return (p) => {
      const t = Math.max(0, Math.min(1, Number.isFinite(p) ? p : 0));
      const n = countAt(full, t, speed);
      st.typed.textContent = full.substring(0, n);
      if (gsap && win) showFlash(gsap, st.typed, win, t, starts, froms);
      if (st.cursor) st.cursor.style.opacity = !blink || Math.floor((t * 2) % 2) === 0 ? '1' : '0';
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

/** Characters shown at window progress t (never half of a surrogate pair). */
function countAt(full: string, t: number, speed: number): number {
  let n = Math.max(0, Math.min(full.length, Math.floor(t / speed)));
  if (n > 0 && n < full.length && /[\uD800-\uDBFF]/.test(full[n - 1])) n++;
  return n;
}

interface GsapLike {
  to(target: Element, vars: Record<string, unknown>): { totalTime(t: number): unknown; kill(): void };
}
function gsapOf(ctx: unknown): GsapLike | null {
  const g = (ctx as { gsap?: unknown } | undefined)?.gsap ?? (window as unknown as { gsap?: unknown }).gsap;
  return g && typeof (g as GsapLike).to === 'function' ? (g as GsapLike) : null;
}

const PREVIEW_FPS = 30;
const FLASH = { textShadow: '0 0 5px rgba(255,255,255,0.5)', duration: 0.08, yoyo: true, repeat: 1, ease: 'power2.out' };

/** Preview frames (seconds) at which the typed text changes: each starts a flash. */
function flashStarts(win: [number, number], count: (x: number) => number): number[] {
  const [w0, w1] = win;
  const starts: number[] = [];
  let shown = count(0);
  for (let f = Math.ceil(w0 * PREVIEW_FPS - 1e-6); f / PREVIEW_FPS <= w1 + 1e-6; f++) {
    const c = count(Math.max(0, Math.min(1, (f / PREVIEW_FPS - w0) / (w1 - w0))));
    if (c !== shown) starts.push(f / PREVIEW_FPS);
    shown = c;
  }
  return starts;
}

/**
 * The editor's flashes at window progress t (p = 1 stands for "after the window"): the newest
 * flash started before now, at its age, from the shadow the one before had reached when it
 * started (a flash started on the frame being shown has not rendered yet). `froms[j]` caches
 * that starting shadow, so replaying a window frame by frame costs one tween per frame.
 */
function showFlash(gsap: GsapLike, span: HTMLElement, win: [number, number], t: number, starts: number[], froms: string[]): void {
  const now = t >= 1 ? Infinity : win[0] + t * (win[1] - win[0]);
  let last = -1;
  while (last + 1 < starts.length && starts[last + 1] < now - 1e-6) last++;
  const render = (j: number, age: number): string => {
    span.style.textShadow = froms[j];
    const tween = gsap.to(span, { ...FLASH, paused: true, lazy: false });
    tween.totalTime(Math.min(0.16, age));
    tween.kill();
    return span.style.textShadow;
  };
  if (froms.length === 0) froms.push('');
  while (froms.length <= last) {
    const j = froms.length - 1;
    froms.push(render(j, starts[j + 1] - starts[j]));
  }
  if (last < 0) span.style.textShadow = '';
  else render(last, now - starts[last]);
}

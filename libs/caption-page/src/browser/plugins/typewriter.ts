// typewriter (dom): types the node's text one character every `typingSpeed` of the window, with a
// cursor after it. As in the editor, the engine normalises the window to 1 "second", so
// typingSpeed 0.05 means 20 characters per window (a longer text stops at 20 characters), and
// the cursor (its own span, in the flow, white, normal weight) shows over the first half of the
// window, hides over the second, and shows again at the end (p = 1). A blank node types the
// editor's placeholder "타이핑 효과 테스트". Built with textContent only (never HTML);
// cleanup puts the original child nodes back.
//
// Not reproduced: the editor also flashes a 5 px white text-shadow for 0.16 s of wall-clock time
// whenever a character appears (a GSAP tween outside the seekable timeline).
import { boolParam, numberParam, rememberTarget } from './editor-timing.js';
import type { DomPluginModule } from './util.js';

const PLACEHOLDER = '타이핑 효과 테스트';

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
    if (boolParam(params?.showCursor, true)) {
      cursor = document.createElement('span');
      cursor.className = 'ecg-typewriter-cursor';
      cursor.textContent = typeof params?.cursorChar === 'string' ? params.cursorChar : '|';
      cursor.style.color = '#ffffff';
      cursor.style.fontWeight = 'normal';
      box.appendChild(cursor);
    }
    el.appendChild(box);
    STATE.set(el, { original, text, typed, cursor });
  },
  animate(el, params) {
    const st = STATE.get(el);
    if (!st) return () => {};
    const speed = numberParam(params?.typingSpeed, 0.05);
    const blink = boolParam(params?.cursorBlink, true);
    const full = st.text;
    return (p) => {
      const t = Math.max(0, Math.min(1, Number.isFinite(p) ? p : 0));
      let n = Math.max(0, Math.min(full.length, Math.floor(t / speed)));
      // never leave half of a surrogate pair on screen
      if (n > 0 && n < full.length && /[\uD800-\uDBFF]/.test(full[n - 1])) n++;
      st.typed.textContent = full.substring(0, n);
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

// typewriter: reveals the node's text grapheme by grapheme over the first `revealPortion` of its
// window, with an optional (blinking) cursor. DOM plugin: init splits the text into spans built with
// textContent (never HTML); cleanup restores the original text exactly.
import { type DomPluginModule, clamp01, graphemes, num, restoreText, snapshotText } from './util.js';

interface State {
  chars: HTMLSpanElement[];
  cursor: HTMLSpanElement | null;
}
const STATE = new WeakMap<HTMLElement, State>();

export const typewriter: DomPluginModule = {
  init(el, params, ctx) {
    if (ctx && typeof ctx === 'object') ctx.targetElement = el; // the engine passes this to cleanup
    const text = snapshotText(el);
    el.textContent = '';
    const chars = graphemes(text).map((g) => {
      const s = document.createElement('span');
      s.className = 'ecg-tw-char';
      s.textContent = g;
      el.appendChild(s);
      return s;
    });
    let cursor: HTMLSpanElement | null = null;
    if (params?.showCursor !== false) {
      cursor = document.createElement('span');
      cursor.className = 'ecg-tw-cursor';
      cursor.textContent = '|';
      // Zero-width so the cursor never shifts the text it follows.
      cursor.style.cssText = 'display:inline-block;width:0;overflow:visible;white-space:pre';
      el.appendChild(cursor);
    }
    STATE.set(el, { chars, cursor });
  },
  animate(el, params) {
    const st = STATE.get(el);
    if (!st) return () => {};
    const portion = Math.max(0.05, Math.min(1, num(params?.revealPortion, 0.8)));
    const blink = params?.cursorBlink !== false;
    const blinkCycles = Math.max(1, num(params?.blinkCycles, 6));
    return (p: number) => {
      const x = clamp01(p);
      const n = Math.min(st.chars.length, Math.floor((x / portion) * st.chars.length + 1e-9));
      st.chars.forEach((c, i) => {
        c.style.visibility = i < n ? 'visible' : 'hidden';
      });
      if (st.cursor) {
        const anchor = st.chars[n] ?? null;
        el.insertBefore(st.cursor, anchor);
        const typing = n < st.chars.length;
        const on = typing || !blink || Math.floor(x * blinkCycles * 2) % 2 === 0;
        st.cursor.style.visibility = on ? 'visible' : 'hidden';
      }
    };
  },
  cleanup(el) {
    STATE.delete(el);
    restoreText(el);
  },
};

// What the cwi plugins share: the word span they animate, its letter spans, and the speaker
// colour. The editor's cwi plugins cooperate through the DOM — whichever runs first wraps the
// node's text in one `span.cwi-word` (letters: `span.cwi-letter`), the others reuse it — so ours
// build the same structure, with the same class names, and also work beside the editor's own.
//
// Where the span lives differs by generation, exactly as in the editor:
//   @2.0.0: inside the effects root (the element the engine passes), around the node's text;
//   @1.0.0: in the effects root's parent (the base wrapper), before the effects root. With
//           motiontext-renderer 2.x's DOM the text sits in the effects root, so that span is
//           empty and what the 1.0.0 plugins animate is invisible — as it is in the editor.
//
// Cleanup restores the DOM: the last cwi plugin to leave a word puts the text nodes back.

/** The editor's starting colour of a cwi word: white at 90 % alpha. */
export const WHITE90 = 'rgba(255,255,255,0.9)';
export const FALLBACK_COLOR = '#FFD400';

/** The letters' transform reads CSS variables, so a bounce can move them while colour paints. */
export const LETTER_TRANSFORM = 'translateX(var(--letter-tx, 0px)) translateY(var(--letter-ty, 0px))';

export type Params = Record<string, unknown>;

// ---------------------------------------------------------------- numbers, as the editor reads them

/** `Number(v ?? fallback)` — strings count, NaN stays NaN (callers decide, as the editor does). */
export function editorNumber(v: unknown, fallback: number): number {
  return Number(v ?? fallback);
}

export function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

export const field = (o: unknown, key: string): unknown =>
  o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;

/** Short decimal text for CSS: stable signatures, no visible difference. */
export const css = (x: number): string => String(Math.round(x * 10000) / 10000);

export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

// ---------------------------------------------------------------- colour

interface Rgb {
  r: number;
  g: number;
  b: number;
}

/**
 * The word's target colour: an explicit `color`, else `palette[speaker]`, else #FFD400. Not
 * validated: a value that is not #rgb / #rrggbb still ends up on the letters at the end of the
 * sweep, while the blend towards it runs from white to white (the editor does the same).
 */
export function speakerColor(params: Params): string {
  const explicit = params.color;
  if (typeof explicit === 'string' && explicit !== '') return explicit;
  const speaker = params.speaker;
  const palette = params.palette;
  if (typeof speaker === 'string' && speaker !== '' && palette && typeof palette === 'object') {
    const c = (palette as Record<string, unknown>)[speaker];
    if (typeof c === 'string' && c !== '') return c;
  }
  return FALLBACK_COLOR;
}

function hexRgb(color: string): Rgb {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return { r: 255, g: 255, b: 255 };
  const hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
  const n = parseInt(hex, 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}

/** Opaque white blended towards `color` by t, as `rgb(r, g, b)`. */
export function whiteTowards(color: string, t: number): string {
  const to = hexRgb(color);
  const ch = (c: number) => clamp(Math.round(255 + (c - 255) * t), 0, 255);
  return `rgb(${ch(to.r)}, ${ch(to.g)}, ${ch(to.b)})`;
}

// ---------------------------------------------------------------- the shared word span

interface Word {
  span: HTMLSpanElement;
  /** Created by one of ours: removed again (text nodes put back) when the last user leaves. */
  owned: boolean;
  users: number;
  removed: Array<{ node: Node; before: Node | null }>;
}
const WORDS = new WeakMap<HTMLElement, Word>();

function newWordSpan(text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'cwi-word';
  span.textContent = text; // text, never HTML
  span.style.display = 'inline-block';
  span.style.color = WHITE90;
  span.style.transformOrigin = '50% 50%';
  return span;
}

/**
 * The word span of `parent` (its `:scope > .cwi-word`), creating it from the parent's own text
 * nodes when missing: appended at the end (@2.0.0), or before `beforeEl` when given (@1.0.0).
 */
export function acquireWord(parent: HTMLElement, beforeEl: Element | null = null): HTMLSpanElement {
  const known = WORDS.get(parent);
  if (known && known.span.parentNode === parent) {
    known.users += 1;
    return known.span;
  }
  const existing = parent.querySelector<HTMLSpanElement>(':scope > .cwi-word');
  if (existing) {
    WORDS.set(parent, { span: existing, owned: false, users: 1, removed: [] });
    return existing;
  }
  let text = '';
  const removed: Word['removed'] = [];
  for (const node of Array.from(parent.childNodes)) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    text += node.textContent ?? '';
    removed.push({ node, before: node.nextSibling });
    parent.removeChild(node);
  }
  const span = newWordSpan(text);
  if (beforeEl && beforeEl.parentNode === parent) parent.insertBefore(span, beforeEl);
  else parent.appendChild(span);
  WORDS.set(parent, { span, owned: true, users: 1, removed });
  return span;
}

export function releaseWord(parent: HTMLElement): void {
  const word = WORDS.get(parent);
  if (!word) return;
  word.users -= 1;
  if (word.users > 0) return;
  WORDS.delete(parent);
  if (!word.owned) return;
  // Text nodes go back where they were: before the sibling that followed them when it is still
  // there (last first, so a text node that followed another is back in place), else at the span.
  const spanHere = word.span.parentNode === parent;
  for (const { node, before } of [...word.removed].reverse()) {
    if (before && before.parentNode === parent) parent.insertBefore(node, before);
    else if (spanHere) parent.insertBefore(node, word.span);
    else parent.appendChild(node);
  }
  word.span.remove();
}

/**
 * The letter spans of a word span, one per code point (a space becomes a no-break space so it
 * keeps its width; an empty word gets one no-break space). Reuses letters another cwi plugin
 * made; `created` says whether this call made them. `style` is applied to new letters only.
 */
export function letterize(
  span: HTMLSpanElement,
  style: Partial<Record<'color' | 'position' | 'transform', string>>,
): {
  letters: HTMLSpanElement[];
  created: boolean;
} {
  const existing = Array.from(span.querySelectorAll<HTMLSpanElement>(':scope > .cwi-letter'));
  if (existing.length > 0) return { letters: existing, created: false };
  const chars = Array.from(span.textContent ?? '');
  span.textContent = '';
  const letters = (chars.length > 0 ? chars : [' ']).map((ch) => {
    const letter = document.createElement('span');
    letter.className = 'cwi-letter';
    letter.textContent = ch === ' ' ? '\u00A0' : ch;
    letter.style.display = 'inline-block';
    if (style.color !== undefined) letter.style.color = style.color;
    if (style.position !== undefined) letter.style.position = style.position;
    if (style.transform !== undefined) letter.style.transform = style.transform;
    span.appendChild(letter);
    return letter;
  });
  span.dataset.cwiLetterized = 'true';
  return { letters, created: true };
}

/** Remembers inline style properties so a plugin's cleanup can put back exactly what it changed. */
export function saveStyle(el: HTMLElement, props: readonly string[]): () => void {
  const saved = props.map((p) => [p, el.style.getPropertyValue(p), el.style.getPropertyPriority(p)] as const);
  return () => {
    for (const [p, v, prio] of saved) {
      if (v === '') el.style.removeProperty(p);
      else el.style.setProperty(p, v, prio);
    }
  };
}

/** Lets the engine hand our element to cleanup (it passes ctx.targetElement, else a dummy). */
export function rememberTarget(ctx: unknown, el: HTMLElement): void {
  if (ctx && typeof ctx === 'object') (ctx as Record<string, unknown>).targetElement = el;
}

export const easeOutCubic = (x: number): number => 1 - Math.pow(1 - x, 3);
export const easeInCubic = (x: number): number => x * x * x;
export const easeInOutCubic = (x: number): number => (x < 0.5 ? 4 * x * x * x : 1 - Math.pow(-2 * x + 2, 3) / 2);

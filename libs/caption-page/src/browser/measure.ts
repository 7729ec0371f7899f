// What the caption layer shows at the current time, read from the DOM after a seek: the padded
// bounding box of the visible content, and a digest of the caption DOM's visual state.
import type { BBox } from '../protocol.js';

const CONTENT_SELECTOR = '.mtx-text,.mtx-image,.mtx-video,.mtx-group';

function hasPaint(el: HTMLElement, cs: CSSStyleDeclaration): boolean {
  if (el.classList.contains('mtx-text')) return (el.textContent ?? '').trim() !== '';
  if (el.classList.contains('mtx-image') || el.classList.contains('mtx-video')) return true;
  // group: only its box paints (children are measured on their own)
  const bg = cs.backgroundColor;
  const transparentBg = bg === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(bg);
  return !transparentBg || cs.backgroundImage !== 'none' || parseFloat(cs.borderTopWidth) > 0 || cs.boxShadow !== 'none';
}

function maxPx(value: string): number {
  let m = 0;
  for (const match of value.matchAll(/(-?[\d.]+)px/g)) m = Math.max(m, Math.abs(parseFloat(match[1])));
  return m;
}

/** The visible content of `container` and its box (padded for shadows, glows and strokes, clamped to the viewport). */
export function measure(
  container: HTMLElement | null,
  viewport: { width: number; height: number },
): { visible: boolean; bbox: BBox | null } {
  if (!container) return { visible: false, bbox: null };
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let spread = 0;
  const els = container.querySelectorAll<HTMLElement>(CONTENT_SELECTOR);
  for (const el of Array.from(els)) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const cs = getComputedStyle(el);
    if (!hasPaint(el, cs)) continue;
    // Text is painted by descendants (effects root, letter spans) that may be transformed.
    const rects: DOMRect[] = [el.getBoundingClientRect()];
    el.querySelectorAll<HTMLElement>('.mtx-base-wrapper,.mtx-effects-root,span').forEach((d) => rects.push(d.getBoundingClientRect()));
    let any = false;
    for (const r of rects) {
      if (r.width <= 0 || r.height <= 0) continue;
      any = true;
      x0 = Math.min(x0, r.left);
      y0 = Math.min(y0, r.top);
      x1 = Math.max(x1, r.right);
      y1 = Math.max(y1, r.bottom);
    }
    if (!any) continue;
    // Shadows, glows (filter: drop-shadow) and strokes paint outside the boxes.
    for (let a: HTMLElement | null = el; a && a !== container; a = a.parentElement) {
      const acs = a === el ? cs : getComputedStyle(a);
      spread = Math.max(
        spread,
        maxPx(acs.textShadow === 'none' ? '' : acs.textShadow) * 2,
        maxPx(acs.filter === 'none' ? '' : acs.filter) * 2,
      );
      spread = Math.max(spread, parseFloat(acs.getPropertyValue('-webkit-text-stroke-width')) || 0);
    }
    const bw = el.querySelector<HTMLElement>('.mtx-base-wrapper');
    if (bw) {
      const bcs = getComputedStyle(bw);
      spread = Math.max(spread, maxPx(bcs.filter === 'none' ? '' : bcs.filter) * 2);
    }
  }
  if (!(x1 > x0 && y1 > y0)) return { visible: false, bbox: null };
  const pad = Math.ceil(4 + spread);
  const left = Math.max(0, Math.floor(x0 - pad));
  const top = Math.max(0, Math.floor(y0 - pad));
  const right = Math.min(viewport.width, Math.ceil(x1 + pad));
  const bottom = Math.min(viewport.height, Math.ceil(y1 + pad));
  if (right <= left || bottom <= top) return { visible: false, bbox: null };
  return { visible: true, bbox: { x: left, y: top, width: right - left, height: bottom - top } };
}

/** FNV-1a over the caption DOM's structure, inline styles and text. */
export function signature(container: HTMLElement | null): string {
  if (!container) return '0';
  let h = 0x811c9dc5;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  };
  const walk = (n: Node) => {
    if (n.nodeType === Node.TEXT_NODE) {
      feed('#');
      feed(n.nodeValue ?? '');
      return;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) return;
    const el = n as HTMLElement;
    feed('<');
    feed(el.tagName);
    feed(el.className);
    // Declaration order depends on history (the reset removes and re-adds variables): sort.
    const decls: string[] = [];
    for (let i = 0; i < el.style.length; i++) {
      const name = el.style.item(i);
      decls.push(`${name}:${el.style.getPropertyValue(name)}`);
    }
    feed(decls.sort().join(';'));
    if (el instanceof HTMLImageElement || el instanceof HTMLVideoElement) feed(el.src);
    for (let c = el.firstChild; c; c = c.nextSibling) walk(c);
    feed('>');
  };
  walk(container);
  return (h >>> 0).toString(16).padStart(8, '0');
}

// Timing helpers shared by our versions of the editor's plugins (editor-basic.ts, fadein.ts,
// flames.ts, typewriter.ts). The editor's plugins build GSAP timelines that the engine drives
// with timeline.progress(p); these are the same curves as plain functions of p, so a seek is
// a pure function of p whatever was seeked before.

/** GSAP's named eases (3.x formulas) by the names a scenario may give; unknown → power1.out. */
export function gsapEase(name: unknown): (x: number) => number {
  const key = typeof name === 'string' ? name.trim() : '';
  return EASES[key] ?? EASES['power1.out'];
}

const powerOut = (k: number) => (x: number) => 1 - Math.pow(1 - x, k);
const powerIn = (k: number) => (x: number) => Math.pow(x, k);
const inOutFromIn = (f: (x: number) => number) => (x: number) => (x < 0.5 ? f(x * 2) / 2 : 1 - f((1 - x) * 2) / 2);
const inOutFromOut = (f: (x: number) => number) => (x: number) => (x < 0.5 ? (1 - f(1 - x * 2)) / 2 : 0.5 + f((x - 0.5) * 2) / 2);

const sineIn = (x: number) => (x === 1 ? 1 : 1 - Math.cos((x * Math.PI) / 2));
const backOut = (x: number) => {
  const s = 1.70158;
  if (!x) return 0;
  const t = x - 1;
  return t * t * ((s + 1) * t + s) + 1;
};
const elasticOut = (x: number) => {
  // amplitude 1, period 0.3 (GSAP's defaults for .out)
  const period = 0.3;
  const shift = (period / (2 * Math.PI)) * Math.asin(1);
  return x === 1 ? 1 : Math.pow(2, -10 * x) * Math.sin(((x - shift) * 2 * Math.PI) / period) + 1;
};

const EASES: Record<string, (x: number) => number> = {
  none: (x) => x,
  linear: (x) => x,
  'power0.out': (x) => x,
  'sine.in': sineIn,
  'sine.out': (x) => 1 - sineIn(1 - x),
  'sine.inOut': inOutFromIn(sineIn),
  'back.out': backOut,
  'back.in': (x) => 1 - backOut(1 - x),
  'back.inOut': inOutFromOut(backOut),
  'elastic.out': elasticOut,
  'elastic.in': (x) => 1 - elasticOut(1 - x),
  'elastic.inOut': inOutFromOut(elasticOut),
};
for (let k = 1; k <= 4; k++) {
  EASES[`power${k}.out`] = powerOut(k + 1);
  EASES[`power${k}.in`] = powerIn(k + 1);
  EASES[`power${k}.inOut`] = inOutFromIn(powerIn(k + 1));
  EASES[`power${k}`] = powerOut(k + 1);
}

export const sineInOut = EASES['sine.inOut'];

/**
 * The editor's "cycle" timelines (to peak over half a cycle, back over the other half, sine.inOut,
 * `repeat(cycles - 1)`) are driven with progress(p), which GSAP maps onto ONE iteration: over the
 * plugin's window they run exactly one up-and-down, whatever `cycles` says. From `from` to `peak`
 * over the first half of the window, then to `to` over the second half.
 */
export function oneCycle(p: number, from: number, peak: number, to: number): number {
  const x = p < 0 ? 0 : p > 1 ? 1 : p;
  return x < 0.5 ? from + (peak - from) * sineInOut(x * 2) : peak + (to - peak) * sineInOut(x * 2 - 1);
}

/** Reads a number as the editor's `Number(v ?? default)` does, but a non-number keeps the default. */
export function numberParam(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

export function boolParam(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return !(v === '' || v === 'false' || v === '0');
  return Boolean(v);
}

/** "#rgb" / "#rrggbb" → "rgba(r, g, b, a)" as the editor's glow writes it (bad digits → 0). */
export function hexRgba(hex: unknown, alpha: number): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scenario value of any type, read as its string
  const m = String(hex ?? '')
    .trim()
    .replace('#', '');
  const v =
    m.length === 3
      ? m
          .split('')
          .map((c) => c + c)
          .join('')
      : m;
  const ch = (i: number) => parseInt(v.slice(i, i + 2), 16) || 0;
  return `rgba(${ch(0)}, ${ch(2)}, ${ch(4)}, ${alpha})`;
}

// ---------------------------------------------------------------- transforms on the effects root
// GSAP keeps one transform per element and writes all its parts (y, scale) together; bobY and
// pulse may both drive the same effects root, so they share this record.
interface RootTransform {
  original: string;
  y: number | null;
  scale: number | null;
}
const TRANSFORMS = new WeakMap<HTMLElement, RootTransform>();

/**
 * Sets one part of the root's transform, written as GSAP writes it: in 3D (its own compositing
 * layer) while a tween is between its ends, in 2D at rest.
 */
export function setRootTransform(el: HTMLElement, part: 'y' | 'scale', value: number | null, moving = false): void {
  let t = TRANSFORMS.get(el);
  if (!t) {
    t = { original: el.style.transform, y: null, scale: null };
    TRANSFORMS.set(el, t);
  }
  t[part] = value;
  if (t.y === null && t.scale === null) {
    el.style.transform = t.original;
    TRANSFORMS.delete(el);
    return;
  }
  const y = round4(t.y ?? 0);
  const s = round4(t.scale ?? 1);
  const scale = s === 1 ? '' : ` scale(${s}, ${s})`;
  el.style.transform = moving ? `translate3d(0px, ${y}px, 0px)${scale}` : `translate(0px, ${y}px)${scale}`;
}

export const round4 = (x: number): number => Math.round(x * 10000) / 10000;

/** The engine hands cleanup `ctx.targetElement` (else a detached div): point it at the root. */
export function rememberTarget(el: HTMLElement, ctx: unknown): void {
  if (ctx && typeof ctx === 'object') (ctx as Record<string, unknown>).targetElement = el;
}

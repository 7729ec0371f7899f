// Shared helpers for our caption plugins. Every effect is a pure function of the plugin's
// progress p (0..1 over its window) and its params: no wall clock, no unseeded randomness.

export type Channels = Record<string, number | string>;

export interface PluginSpec {
  name: string;
  params?: Record<string, unknown>;
  [k: string]: unknown;
}

/** A channel plugin module as motiontext-renderer's registry expects it (named export). */
export interface ChannelPluginModule {
  evalChannels(spec: PluginSpec, p: number, ctx: unknown): Channels;
}

/** A DOM plugin module (init / animate / cleanup), optionally hybrid with evalChannels. */
export interface DomPluginModule {
  init(el: HTMLElement, params: Record<string, unknown>, ctx: Record<string, unknown>): void;
  animate(el: HTMLElement, params: Record<string, unknown>, ctx: unknown, duration: number): (p: number) => void;
  cleanup(el: HTMLElement): void;
  evalChannels?: (spec: PluginSpec, p: number, ctx: unknown) => Channels;
}

export type PluginModule = ChannelPluginModule | DomPluginModule;

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0);
export const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;
export const easeOutCubic = (x: number): number => 1 - Math.pow(1 - clamp01(x), 3);
export const easeInCubic = (x: number): number => Math.pow(clamp01(x), 3);
export const easeInOutCubic = (x: number): number => {
  const t = clamp01(x);
  return t < 0.5 ? 4 * t * t * t : 1 - Math.pow(-2 * t + 2, 3) / 2;
};
export const easeOutBack = (x: number, s = 1.70158): number => {
  const t = clamp01(x) - 1;
  return t * t * ((s + 1) * t + s) + 1;
};

/** Rounds to 1/1000 so the CSS text (and the page signature) is stable across engines. */
export const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function num(v: unknown, fallback: number): number {
  const n = typeof v === 'string' ? parseFloat(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : fallback;
}

export function str(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : fallback;
}

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function params(spec: PluginSpec | undefined): Record<string, unknown> {
  return obj(spec?.params);
}

/** Attack/release envelope: 0 → 1 over the first `a`, 1 → 0 over the last `r` of the window. */
export function envelope(p: number, a = 0.15, r = 0.15): number {
  const x = clamp01(p);
  const up = a > 0 ? easeOutCubic(x / a) : 1;
  const down = r > 0 ? easeOutCubic((1 - x) / r) : 1;
  return Math.min(up, down);
}

/** Deterministic smooth pseudo-noise in [-1, 1] (sum of incommensurate sines). */
export function noise(x: number, seed = 0): number {
  return (
    0.5 * Math.sin(x * 6.2831 + seed * 1.7) + 0.3 * Math.sin(x * 14.137 + seed * 4.1 + 1.3) + 0.2 * Math.sin(x * 29.53 + seed * 2.3 + 0.7)
  );
}

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

export function parseColor(input: unknown): Rgba | null {
  if (typeof input !== 'string') return null;
  const s = input.trim().toLowerCase();
  let m = s.match(/^#([0-9a-f]{3,8})$/);
  if (m) {
    let h = m[1];
    if (h.length === 3 || h.length === 4)
      h = h
        .split('')
        .map((c) => c + c)
        .join('');
    if (h.length !== 6 && h.length !== 8) return null;
    const n = parseInt(h.slice(0, 6), 16);
    const a = h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1;
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255, a };
  }
  m = s.match(/^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/);
  if (m) return { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] };
  const named: Record<string, string> = {
    white: '#ffffff',
    black: '#000000',
    red: '#ff0000',
    yellow: '#ffff00',
    gold: '#ffd700',
    orange: '#ffa500',
    blue: '#0000ff',
    cyan: '#00ffff',
    magenta: '#ff00ff',
    green: '#008000',
  };
  return named[s] ? parseColor(named[s]) : null;
}

export function formatColor(c: Rgba): string {
  const cl = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  const a = Math.round(Math.max(0, Math.min(1, c.a)) * 1000) / 1000;
  return `rgba(${cl(c.r)}, ${cl(c.g)}, ${cl(c.b)}, ${a})`;
}

export function mixColor(from: Rgba, to: Rgba, t: number): Rgba {
  const k = clamp01(t);
  return { r: lerp(from.r, to.r, k), g: lerp(from.g, to.g, k), b: lerp(from.b, to.b, k), a: lerp(from.a, to.a, k) };
}

/** Keeps the original text of an effects root so DOM plugins can restore it exactly. */
const ORIGINAL_TEXT = new WeakMap<HTMLElement, string>();

export function snapshotText(el: HTMLElement): string {
  let text = ORIGINAL_TEXT.get(el);
  if (text === undefined) {
    text = el.textContent ?? '';
    ORIGINAL_TEXT.set(el, text);
  }
  return text;
}

export function restoreText(el: HTMLElement): void {
  const text = ORIGINAL_TEXT.get(el);
  if (text !== undefined) {
    el.textContent = text; // text, never HTML
    ORIGINAL_TEXT.delete(el);
  }
}

/** Splits text into grapheme clusters (Hangul syllables, emoji sequences stay whole). */
export function graphemes(text: string): string[] {
  const Seg = (Intl as unknown as { Segmenter?: new (l?: string, o?: object) => { segment(s: string): Iterable<{ segment: string }> } })
    .Segmenter;
  if (Seg) return Array.from(new Seg(undefined, { granularity: 'grapheme' }).segment(text), (s) => s.segment);
  return Array.from(text);
}

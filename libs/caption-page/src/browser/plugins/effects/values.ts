// Interpolation of the values the effect plugins animate, the way GSAP's CSS tweens blend them:
// numbers linearly (eases may overshoot), colours channel by channel in RGBA, and "complex"
// strings (text-shadow, filter) number by number on the end value's shape — a start of "none"
// counts as zeros, and a start with more shadow layers than the end keeps only its first ones.
import { parseColor } from '../util.js';

export type Value = number | string;

const NUM = /-?\d*\.?\d+(?:e[-+]?\d+)?/gi;
const COLOR = /#[0-9a-f]{3,8}\b|rgba?\([^)]*\)|\b(?:white|black|red|yellow|cyan|transparent)\b/i;

const round = (x: number, k = 10000): number => Math.round(x * k) / k;

function colorText(c: { r: number; g: number; b: number; a: number }): string {
  const ch = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  const a = Math.max(0, Math.min(1, round(c.a, 1000)));
  return a >= 1 ? `rgb(${ch(c.r)}, ${ch(c.g)}, ${ch(c.b)})` : `rgba(${ch(c.r)}, ${ch(c.g)}, ${ch(c.b)}, ${a})`;
}

function toColor(s: string): { r: number; g: number; b: number; a: number } | null {
  if (s.trim().toLowerCase() === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  return parseColor(s);
}

/** One shadow layer as [color, x, y, blur]; "none" → transparent zeros. */
interface Shadow {
  color: { r: number; g: number; b: number; a: number };
  nums: number[];
}

function splitLayers(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseShadow(layer: string): Shadow {
  const colorMatch = layer.match(COLOR);
  const color = (colorMatch && toColor(colorMatch[0])) || { r: 0, g: 0, b: 0, a: layer.trim() === 'none' ? 0 : 1 };
  const rest = colorMatch ? layer.replace(colorMatch[0], ' ') : layer;
  const nums = (rest.match(NUM) ?? []).map(Number);
  while (nums.length < 3) nums.push(0);
  return { color, nums: nums.slice(0, 4) };
}

function interpolateShadow(from: string, to: string, r: number): string {
  const toLayers = splitLayers(to).map(parseShadow);
  const fromLayers = from.trim() === 'none' ? [] : splitLayers(from).map(parseShadow);
  return toLayers
    .map((b, i) => {
      const a = fromLayers[i] ?? { color: { ...b.color, a: 0 }, nums: b.nums.map(() => 0) };
      const c = {
        r: a.color.r + (b.color.r - a.color.r) * r,
        g: a.color.g + (b.color.g - a.color.g) * r,
        b: a.color.b + (b.color.b - a.color.b) * r,
        a: a.color.a + (b.color.a - a.color.a) * r,
      };
      const n = b.nums.map((v, k) => round((a.nums[k] ?? 0) + (v - (a.nums[k] ?? 0)) * r));
      return `${colorText(c)} ${n.map((v) => `${v}px`).join(' ')}`;
    })
    .join(', ');
}

/** Same-shaped strings (filter functions): numbers blended in order, on the end string's text. */
function interpolateNumbers(from: string, to: string, r: number): string {
  const a = from.trim() === 'none' ? [] : (from.match(NUM) ?? []).map(Number);
  let i = 0;
  return to.replace(NUM, (m) => {
    const b = Number(m);
    const s = a[i++] ?? 0;
    return String(round(s + (b - s) * r));
  });
}

/** What a property shows at eased ratio r between `from` and `to` (r = 0 → from, 1 → to). */
export function interpolate(from: Value, to: Value, r: number, prop = ''): Value {
  if (r === 0) return from;
  if (r === 1) return to;
  if (typeof from === 'number' && typeof to === 'number') return round(from + (to - from) * r);
  const fs = String(from);
  const ts = String(to);
  const fc = toColor(fs);
  const tc = toColor(ts);
  if (fc && tc) {
    return colorText({
      r: fc.r + (tc.r - fc.r) * r,
      g: fc.g + (tc.g - fc.g) * r,
      b: fc.b + (tc.b - fc.b) * r,
      a: fc.a + (tc.a - fc.a) * r,
    });
  }
  if (prop === 'textShadow') return interpolateShadow(fs, ts, r);
  if (ts.trim() === 'none') return r < 1 ? interpolateNumbers(ts, fs, 1 - r) : ts;
  return interpolateNumbers(fs, ts, r);
}

// DOM side shared by our versions of the editor's effect plugins (elastic, glitch, magnetic,
// rotation, scalepop, slideup, fliptype): splitting the node's text into spans the way each
// editor plugin lays it out, writing a TweenProgram's values as inline styles, restoring the
// element exactly on cleanup, and pseudo-random numbers derived from the node id.
import { graphemes } from '../util.js';
import { hash32, mix32, MULBERRY32_STEP } from '../../seeded-random.js';
import type { TweenProgram, Value } from './tween-program.js';

/** What init() built on an effects root; cleanup() puts the element back as it was. */
export interface EffectState {
  readonly text: string;
  readonly spans: HTMLElement[];
  /** Animated elements, indexed as the program's targets. */
  readonly targets: HTMLElement[];
  readonly added: string[];
  program?: TweenProgram;
  bases?: Map<string, Value>;
}

const STATES = new WeakMap<HTMLElement, EffectState>();

export function stateOf(el: HTMLElement): EffectState | undefined {
  return STATES.get(el);
}

/**
 * Starts an effect on `el`: remembers its text (the engine puts a text node's text in the effects
 * root) and clears it. Re-initialising without a cleanup first restores the element. `ctx` gets
 * `targetElement` because the engine hands that to cleanup().
 */
export function beginEffect(el: HTMLElement, ctx: unknown): string {
  const previous = STATES.get(el);
  if (previous) restoreEffect(el);
  if (ctx && typeof ctx === 'object') (ctx as Record<string, unknown>).targetElement = el;
  return el.textContent ?? '';
}

export function registerState(el: HTMLElement, state: EffectState): void {
  STATES.set(el, state);
}

/** Puts the element back as init() found it: its text, without our attributes. */
export function restoreEffect(el: HTMLElement): void {
  const st = STATES.get(el);
  if (!st) return;
  STATES.delete(el);
  el.textContent = st.text; // text, never HTML
  for (const a of st.added) el.removeAttribute(a);
}

export function span(text: string, cssText: string, className: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  s.style.cssText = cssText;
  return s;
}

/**
 * Word spans as the editor's word effects build them: the text split on every single space
 * (so a double space yields an empty word), one inline-block span per word, a plain space
 * between words.
 */
export function splitWords(parent: HTMLElement, text: string, cssText: string, className: string): HTMLElement[] {
  const words = text.split(' ');
  return words.map((w, i) => {
    const s = span(w, cssText, className);
    parent.appendChild(s);
    if (i < words.length - 1) parent.appendChild(document.createTextNode(' '));
    return s;
  });
}

/** Letter spans (grapheme clusters), spaces as no-break spaces so inline-blocks keep them. */
export function splitLetters(parent: HTMLElement, text: string, cssText: string, className: string): HTMLElement[] {
  return graphemes(text).map((g) => {
    const s = span(g === ' ' ? '\u00a0' : g, cssText, className);
    parent.appendChild(s);
    return s;
  });
}

// ---------------------------------------------------------------- pseudo-random

/** The first number of a mulberry32 stream seeded with `seed`: a well-mixed 32-bit value → [0, 1). */
function unit(seed: number): number {
  return mix32((seed + MULBERRY32_STEP) | 0);
}

/**
 * Uniform numbers in [min, max) that depend only on the node, the plugin, the letter/word index
 * and a slot name: where the editor draws gsap.utils.random(min, max) afresh, we draw the same
 * distribution, identically in every frame, segment and retry.
 */
export function nodeRandom(el: HTMLElement, plugin: string): (index: number, slot: string, min: number, max: number) => number {
  const node = el.closest('[data-node-id]')?.getAttribute('data-node-id') ?? '';
  const base = hash32(`${node}\u0000${plugin}`);
  return (index, slot, min, max) => min + (max - min) * unit(base ^ hash32(`${index}\u0000${slot}`));
}

// ---------------------------------------------------------------- writing values

const TRANSFORM_PROPS = ['x', 'y', 'rotation', 'rotationY', 'rotationX', 'skewX', 'scale', 'scaleX', 'scaleY'];
const NUMERIC_BASE: Record<string, number> = {
  x: 0,
  y: 0,
  rotation: 0,
  rotationX: 0,
  rotationY: 0,
  skewX: 0,
  scale: 1,
  scaleX: 1,
  scaleY: 1,
  opacity: 1,
};

function baseValue(el: HTMLElement, prop: string): Value {
  const cs = getComputedStyle(el);
  // A `to` tween starts from the element's own opacity (glitch's colour layers start at 0.5).
  if (prop === 'opacity') return Number.isFinite(parseFloat(cs.opacity)) ? parseFloat(cs.opacity) : 1;
  if (prop in NUMERIC_BASE) return NUMERIC_BASE[prop];
  if (prop === 'color') return cs.color;
  if (prop === 'textShadow') return cs.textShadow;
  if (prop === 'filter') return cs.filter;
  return '';
}

/**
 * Writes the program's values at time t (seconds on the program's clock) onto the targets.
 * Every animated property is written or removed on every call, so the result depends on t only.
 */
export function applyProgram(st: EffectState, t: number): void {
  const program = st.program;
  if (!program) return;
  if (!st.bases) {
    // The elements' own values, read once before we write anything (inherited colour, shadow).
    st.bases = new Map();
    for (const { target, prop } of program.properties()) {
      const el = st.targets[target];
      if (el) st.bases.set(`${target}:${prop}`, baseValue(el, prop));
    }
  }
  const values = new Map<number, Record<string, Value | undefined>>();
  const mid = new Set<number>();
  for (const { target, prop } of program.properties()) {
    const rec = values.get(target) ?? {};
    rec[prop] = program.valueAt(target, prop, t, st.bases.get(`${target}:${prop}`) ?? '');
    values.set(target, rec);
    if (TRANSFORM_PROPS.includes(prop) && program.isMidTween(target, prop, t)) mid.add(target);
  }
  for (const [target, v] of values) {
    const el = st.targets[target];
    if (el) writeStyles(el, v, mid.has(target));
  }
}

const fmt = (n: number): string => String(Math.round(n * 10000) / 10000);

/** The transform as GSAP composes it: translate, rotate, rotateY, rotateX, skew, scale; 3D mid-tween. */
function transformText(v: Record<string, Value | undefined>, use3D: boolean): string {
  const n = (p: string, d: number): number => (typeof v[p] === 'number' ? v[p] : d);
  const x = n('x', 0);
  const y = n('y', 0);
  const scale = n('scale', 1);
  const sx = n('scaleX', scale);
  const sy = n('scaleY', scale);
  let out = '';
  if (use3D) out += `translate3d(${fmt(x)}px, ${fmt(y)}px, 0px) `;
  else if (x !== 0 || y !== 0) out += `translate(${fmt(x)}px, ${fmt(y)}px) `;
  if (n('rotation', 0) !== 0) out += `rotate(${fmt(n('rotation', 0))}deg) `;
  if (n('rotationY', 0) !== 0) out += `rotateY(${fmt(n('rotationY', 0))}deg) `;
  if (n('rotationX', 0) !== 0) out += `rotateX(${fmt(n('rotationX', 0))}deg) `;
  if (n('skewX', 0) !== 0) out += `skew(${fmt(n('skewX', 0))}deg, 0deg) `;
  if (sx !== 1 || sy !== 1) out += `scale(${fmt(sx)}, ${fmt(sy)})`;
  return out.trim() || 'translate(0px, 0px)';
}

/** Inline values the elements had before we wrote anything: shown again while no tween has run. */
const INITIAL_INLINE = new WeakMap<HTMLElement, Record<string, string>>();

function unset(el: HTMLElement, css: string): void {
  let rec = INITIAL_INLINE.get(el);
  if (!rec) INITIAL_INLINE.set(el, (rec = {}));
  const initial = rec[css];
  if (initial) el.style.setProperty(css, initial);
  else el.style.removeProperty(css);
}

function snapshotInline(el: HTMLElement): void {
  if (INITIAL_INLINE.has(el)) return;
  const rec: Record<string, string> = {};
  for (const css of ['transform', 'opacity', 'color', 'text-shadow', 'filter', 'transform-origin'])
    rec[css] = el.style.getPropertyValue(css);
  INITIAL_INLINE.set(el, rec);
}

function writeStyles(el: HTMLElement, v: Record<string, Value | undefined>, use3D: boolean): void {
  snapshotInline(el);
  if (TRANSFORM_PROPS.some((p) => p in v)) {
    if (TRANSFORM_PROPS.some((p) => v[p] !== undefined)) el.style.transform = transformText(v, use3D);
    else unset(el, 'transform');
  }
  for (const [prop, css] of [
    ['opacity', 'opacity'],
    ['color', 'color'],
    ['textShadow', 'text-shadow'],
    ['filter', 'filter'],
    ['transformOrigin', 'transform-origin'],
  ] as const) {
    if (!(prop in v)) continue;
    const val = v[prop];
    if (val === undefined) unset(el, css);
    else el.style.setProperty(css, typeof val === 'number' ? fmt(val) : val);
  }
}

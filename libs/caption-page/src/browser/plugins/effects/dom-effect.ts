// Builds a DOM plugin module (init / animate / cleanup) from an effect description: how the
// text is laid out in spans, and the timeline program that animates them. The seek function maps
// the engine's progress p (0..1 over the plugin window) onto the program's clock the way
// gsap's timeline.progress(p) does, t = p × program duration, and writes every animated property
// from t alone.
import { type DomPluginModule, clamp01 } from '../util.js';
import { type EffectState, applyProgram, beginEffect, nodeRandom, registerState, restoreEffect, stateOf } from './effect-dom.js';
import type { TweenProgram } from './tween-program.js';

export type Random = (index: number, slot: string, min: number, max: number) => number;

export interface Layout {
  spans: HTMLElement[];
  targets: HTMLElement[];
  /** Attributes set on the effects root itself (removed on cleanup). */
  added?: string[];
}

export interface EffectDescription {
  name: string;
  /** Lays the text out (the root is empty when called); `text` is never blank. */
  layout(root: HTMLElement, text: string, params: Record<string, unknown>): Layout;
  /** What the editor's plugin shows for a blank text (it writes a placeholder). */
  placeholder?(root: HTMLElement, params: Record<string, unknown>): Layout | null;
  program(st: EffectState, params: Record<string, unknown>, random: Random, root: HTMLElement): TweenProgram;
  /**
   * The editor re-initialises this plugin on every frame (new random draws each time) in this
   * context: we then draw afresh for every distinct progress value, still a function of p.
   */
  redrawEveryFrame?(root: HTMLElement, ctx: unknown): boolean;
}

export function domEffect(d: EffectDescription): DomPluginModule {
  return {
    init(el, params, ctx) {
      const text = beginEffect(el, ctx);
      const p = params ?? {};
      el.textContent = '';
      let layout: Layout | null;
      if (text.trim()) layout = d.layout(el, text, p);
      else layout = d.placeholder ? d.placeholder(el, p) : null;
      if (!layout) el.textContent = text;
      for (const a of layout?.added ?? []) el.setAttribute(a, '');
      registerState(el, { text, spans: layout?.spans ?? [], targets: layout?.targets ?? [], added: layout?.added ?? [] });
    },
    animate(el, params, ctx) {
      const st = stateOf(el);
      if (!st || st.targets.length === 0) return () => {};
      const random = nodeRandom(el, d.name);
      const program = d.program(st, params ?? {}, random, el);
      st.program = program;
      st.bases = undefined;
      const total = program.duration();
      if (d.redrawEveryFrame?.(el, ctx)) {
        return (p: number) => {
          const x = clamp01(p);
          const salt = `@${Math.round(x * 1e6)}`;
          st.program = d.program(st, params ?? {}, (i, slot, min, max) => random(i, slot + salt, min, max), el);
          applyProgram(st, x * total);
        };
      }
      return (p: number) => applyProgram(st, clamp01(p) * total);
    },
    cleanup(el) {
      restoreEffect(el);
    },
  };
}

/** A number parameter; the manifest's default when absent (or not a number). */
export function numParam(params: Record<string, unknown>, key: string, fallback: number): number {
  const v = params[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/** A boolean parameter as the editor's plugins read it: absent → default, else truthiness. */
export function boolParam(params: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = params[key];
  return v === undefined || v === null ? fallback : v !== false && v !== 'false' && Boolean(v);
}

export function strParam(params: Record<string, unknown>, key: string, fallback: string): string {
  const v = params[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : fallback;
}

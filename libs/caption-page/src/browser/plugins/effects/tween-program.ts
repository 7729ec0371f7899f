// A small, pure evaluator for "timeline programs": per element and CSS property, a list of tweens
// (start, duration, target value, ease, repeat/yoyo) as the editor's effect plugins describe
// their animation with GSAP. valueAt(t) answers what a *playing* GSAP timeline shows at time t,
// so the editor's preview (which plays) is what we reproduce, while every frame stays a pure
// function of t (our page rebuilds each frame from scratch):
//   - the tween that wrote last wins: a running tween over a finished one, and among tweens
//     running together the later one in timeline order (GSAP renders children in start order);
//   - a `to` tween starts from whatever the property showed when it started playing;
//   - `fromTo` writes its start value as soon as it is created (GSAP's immediateRender);
//   - a zero-length `set` at 0 shows only once the playhead has moved past 0;
//   - yoyo iterations run the ease backwards, as GSAP does.
import { type Ease, DEFAULT_EASE, parseEase } from './eases.js';
import { type Value, interpolate } from './values.js';

export type { Value } from './values.js';

export interface TweenOptions {
  ease?: string;
  repeat?: number;
  yoyo?: boolean;
}

interface Step {
  target: number;
  prop: string;
  at: number;
  dur: number;
  from?: Value;
  to: Value;
  ease: Ease;
  repeat: number;
  yoyo: boolean;
  immediate: boolean;
  order: number;
}

export class TweenProgram {
  private readonly steps: Step[] = [];
  private readonly byKey = new Map<string, Step[]>();
  private order = 0;
  private minDuration = 0;

  /** Makes the timeline at least `t` long (an empty placeholder at t, as GSAP's `set({}, {}, t)`). */
  extendTo(t: number): this {
    this.minDuration = Math.max(this.minDuration, t);
    return this;
  }

  /** Zero-duration tween: the properties jump to their values at `at`. */
  set(target: number, props: Record<string, Value>, at: number): this {
    for (const [prop, to] of Object.entries(props))
      this.add({ target, prop, at, dur: 0, to, ease: parseEase('none'), repeat: 0, yoyo: false, immediate: false });
    return this;
  }

  to(target: number, props: Record<string, Value>, at: number, dur: number, opts: TweenOptions = {}): this {
    const ease = parseEase(opts.ease ?? DEFAULT_EASE);
    for (const [prop, to] of Object.entries(props)) {
      this.add({ target, prop, at, dur, to, ease, repeat: Math.max(0, Math.floor(opts.repeat ?? 0)), yoyo: !!opts.yoyo, immediate: false });
    }
    return this;
  }

  fromTo(target: number, from: Record<string, Value>, to: Record<string, Value>, at: number, dur: number, opts: TweenOptions = {}): this {
    const ease = parseEase(opts.ease ?? DEFAULT_EASE);
    for (const [prop, end] of Object.entries(to)) {
      this.add({
        target,
        prop,
        at,
        dur,
        from: from[prop],
        to: end,
        ease,
        repeat: Math.max(0, Math.floor(opts.repeat ?? 0)),
        yoyo: !!opts.yoyo,
        immediate: from[prop] !== undefined,
      });
    }
    return this;
  }

  /** Length of the timeline: where its last tween (with repeats) ends. */
  duration(): number {
    let d = this.minDuration;
    for (const s of this.steps) d = Math.max(d, s.at + s.dur * (s.repeat + 1));
    return d;
  }

  /** Every (target, property) pair the program animates. */
  properties(): Array<{ target: number; prop: string }> {
    return Array.from(this.byKey.values(), (list) => ({ target: list[0].target, prop: list[0].prop }));
  }

  /**
   * The property's value at time t while playing, or undefined while no tween has written it yet
   * (the element shows its own style). `base` is the element's own value of the property.
   */
  valueAt(target: number, prop: string, t: number, base: Value): Value | undefined {
    const list = this.byKey.get(`${target}\u0000${prop}`);
    if (!list) return undefined;
    return this.evaluate(list, list.length, t, base, false);
  }

  /**
   * Some tween of the property is part-way through at t. GSAP writes a transform as translate3d
   * (a composited layer, rasterised differently) only then, and as a 2D transform otherwise.
   */
  isMidTween(target: number, prop: string, t: number): boolean {
    for (const s of this.byKey.get(`${target}\u0000${prop}`) ?? []) {
      if (t <= s.at || t >= s.at + s.dur * (s.repeat + 1)) continue;
      const r = ratio(s, t - s.at);
      if (r !== 0 && r !== 1) return true;
    }
    return false;
  }

  private add(s: Omit<Step, 'order'>): void {
    const step: Step = { ...s, order: this.order++ };
    this.steps.push(step);
    const key = `${s.target}\u0000${s.prop}`;
    const list = this.byKey.get(key) ?? [];
    list.push(step);
    // Timeline (render) order: by start time, then insertion.
    list.sort((a, b) => a.at - b.at || a.order - b.order);
    this.byKey.set(key, list);
  }

  /**
   * Value at t considering only the first `count` steps of the list (timeline order). `atStart`:
   * t is the start of a later step, which renders after these in the same tick — steps starting
   * exactly at t (a `set` at 0 included) have already written.
   */
  private evaluate(list: Step[], count: number, t: number, base: Value, atStart: boolean): Value | undefined {
    let winner = -1;
    let winnerKey = -Infinity;
    for (let i = 0; i < count; i++) {
      const s = list[i];
      const end = s.at + s.dur * (s.repeat + 1);
      let key: number;
      if (t > s.at || (t === s.at && (s.at > 0 || atStart))) key = Math.min(end, t);
      else if (s.immediate)
        key = -1; // written at creation
      else continue;
      if (key >= winnerKey) {
        winnerKey = key;
        winner = i;
      }
    }
    if (winner < 0) return undefined;
    const s = list[winner];
    const started = t > s.at || (t === s.at && (s.at > 0 || atStart));
    if (!started) return s.from;
    const from = s.from !== undefined ? s.from : (this.evaluate(list, winner, s.at, base, true) ?? base);
    return interpolate(from, s.to, ratio(s, t - s.at), s.prop);
  }
}

/** Eased progress of a step `local` seconds after its start (repeats and yoyo included). */
function ratio(s: Step, local: number): number {
  if (s.dur <= 0) return 1;
  const iterations = s.repeat + 1;
  if (local >= s.dur * iterations) return s.yoyo && iterations % 2 === 0 ? 0 : 1;
  const it = Math.floor(local / s.dur);
  const frac = (local - it * s.dur) / s.dur;
  const x = s.yoyo && it % 2 === 1 ? 1 - frac : frac;
  return x <= 0 ? 0 : x >= 1 ? 1 : s.ease(x);
}

// The editor's current cwi plugins (@2.0.0), written against their manifests and measured
// against the editor. All four animate the shared word span inside the effects root
// (cwi-word.ts); the seek functions are pure functions of p after init.
//   cwi-color    dom     white(90 %) → speaker colour, swept letter by letter (bulk: whole word)
//   cwi-loud     dom     the word swells to pulse.scale (2.15) and lifts pulse.lift px (12) in the
//                        first 12 % of its window, holds with a tremble and a fading ring, and
//                        falls back in the last 12 %
//   cwi-whisper  dom     the same shape shrinking to shrink.scale (0.6), dropping shrink.drop px (6)
//   cwi-bouncing hybrid  letters hop one after another (waveHeight px, 12); the whole word sways
//                        slightly through the engine's channels
import type { Channels, DomPluginModule, PluginSpec } from './util.js';
import {
  LETTER_TRANSFORM,
  type Params,
  WHITE90,
  acquireWord,
  clamp,
  css,
  easeInCubic,
  easeInOutCubic,
  easeOutCubic,
  editorNumber,
  field,
  finiteOr,
  letterize,
  releaseWord,
  rememberTarget,
  saveStyle,
  speakerColor,
  whiteTowards,
} from './cwi-word.js';

const p01 = (p: number): number => clamp(Number.isFinite(p) ? p : 0, 0, 1);

/** Per-element state of each plugin: what cleanup must undo. */
function stateStore<T>() {
  return new WeakMap<HTMLElement, T>();
}

// ---------------------------------------------------------------- cwi-color@2.0.0

interface ColorState {
  span: HTMLSpanElement;
  letters: HTMLSpanElement[];
  undo: Array<() => void>;
}
const COLOR = stateStore<ColorState>();

/** Near the end every letter is fully coloured (a last frame may never reach exactly p = 1). */
const COLOR_DONE_AT = 0.985;

export const cwiColor: DomPluginModule = {
  init(el, _params, ctx) {
    rememberTarget(ctx, el);
    const span = acquireWord(el);
    const undo = [saveStyle(span, ['color', 'opacity'])];
    const { letters, created } = letterize(span, { color: WHITE90, transform: `${LETTER_TRANSFORM} translateZ(0)` });
    for (const letter of letters) {
      if (!created) {
        undo.push(saveStyle(letter, ['color', 'transform']));
        // Letters another plugin left untransformed get the variable-driven transform.
        const tr = letter.style.transform;
        if (tr === '' || /^translate3d\(0(px)?,\s*0(px)?,/i.test(tr)) letter.style.transform = `${LETTER_TRANSFORM} translateZ(0)`;
      }
      letter.style.color = WHITE90;
    }
    COLOR.set(el, { span, letters, undo });
  },
  animate(el, params) {
    const st = COLOR.get(el);
    if (!st) return () => {};
    const o: Params = params ?? {};
    const target = speakerColor(o);
    const bulk = Boolean(o.bulk);
    const { span, letters } = st;
    span.style.color = WHITE90;
    span.style.opacity = '1';
    return (p: number) => {
      const x = p01(p);
      if (x >= COLOR_DONE_AT) {
        if (bulk) span.style.color = target;
        for (const letter of letters) letter.style.color = target;
        return;
      }
      if (bulk) {
        const c = whiteTowards(target, easeOutCubic(x));
        span.style.color = c;
        for (const letter of letters) letter.style.color = c;
        return;
      }
      // The sweep: letter i colours while x·n runs from i to i + 1 (ease-out within the letter).
      const front = x * letters.length + 1e-4;
      letters.forEach((letter, i) => {
        const local = clamp(front - i, 0, 1);
        letter.style.color = local <= 0 ? WHITE90 : local >= 1 ? target : whiteTowards(target, easeOutCubic(local));
      });
    };
  },
  cleanup(el) {
    const st = COLOR.get(el);
    if (!st) return;
    COLOR.delete(el);
    for (const undo of st.undo.reverse()) undo();
    releaseWord(el);
  },
};

// ---------------------------------------------------------------- cwi-loud / cwi-whisper @2.0.0

/** 12 % to reach the peak, 76 % hold, 12 % back. */
const EDGE = 0.12;

/** How far towards the peak (0..1) at local progress x. */
function peakFactor(x: number): number {
  if (x < EDGE) return easeOutCubic(x / EDGE);
  if (x > 1 - EDGE) return 1 - easeInCubic((x - (1 - EDGE)) / EDGE);
  return 1;
}

/** A damped ring during the hold: amp · e^(−3·h) · sin(2π·freq·h), h = 0..1 through the hold. */
function holdRing(x: number, amp: number, freq: number): number {
  if (x < EDGE || x > 1 - EDGE) return 0;
  const h = (x - EDGE) / (1 - 2 * EDGE);
  return amp * Math.exp(-3 * h) * Math.sin(2 * Math.PI * freq * h);
}

interface SpanState {
  span: HTMLSpanElement;
  undo: () => void;
}

/** A DOM plugin that moves the word span as a whole: `transform(x)` gives its CSS transform. */
function spanTransformPlugin(makeTransform: (params: Params) => (x: number) => string): DomPluginModule {
  const states = stateStore<SpanState>();
  return {
    init(el, _params, ctx) {
      rememberTarget(ctx, el);
      const span = acquireWord(el);
      states.set(el, { span, undo: saveStyle(span, ['transform', 'opacity']) });
    },
    animate(el, params) {
      const st = states.get(el);
      if (!st) return () => {};
      const transform = makeTransform(params ?? {});
      st.span.style.transform = 'translate3d(0px, 0px, 0px) scale(1, 1)';
      st.span.style.opacity = '1';
      return (p: number) => {
        st.span.style.transform = transform(p01(p));
        st.span.style.opacity = '1';
      };
    },
    cleanup(el) {
      const st = states.get(el);
      if (!st) return;
      states.delete(el);
      st.undo();
      releaseWord(el);
    },
  };
}

// Parameters are read as the editor reads them: a value that is zero or not a number falls back
// to the default where the editor's `x || default` does (pulse.lift, shrink.drop, flutter.amp).
export const cwiLoud = spanTransformPlugin((o) => {
  const pulse = field(o, 'pulse');
  const tremble = field(o, 'tremble');
  const maxScale = Math.max(1.01, finiteOr(Math.max(1.1, editorNumber(field(pulse, 'scale'), 2.15)), 2.15));
  const lift = Math.max(0, editorNumber(field(pulse, 'lift'), 12)) || 12;
  const amp = finiteOr(Math.max(0, editorNumber(field(tremble, 'ampPx'), 1.5)), 1.5);
  const freq = finiteOr(Math.max(1, editorNumber(field(tremble, 'freq'), 12)), 12);
  return (x) => {
    const f = peakFactor(x);
    const crest = Math.pow(f, 1.5);
    const phase = x * Math.PI * freq;
    const scale = 1 + (maxScale - 1) * f + 0.03 * crest * Math.sin(phase * 1.2) + holdRing(x, 0.06, 18);
    const dx = amp * 0.8 * crest * Math.sin(phase * 1.6);
    const dy = -lift * f + amp * 0.5 * crest * Math.cos(phase * 1.9);
    return `translate3d(${css(dx)}px, ${css(dy)}px, 0px) scale(${css(scale)}, ${css(scale)})`;
  };
});

export const cwiWhisper = spanTransformPlugin((o) => {
  const shrink = field(o, 'shrink');
  const flutter = field(o, 'flutter');
  const minScale = clamp(finiteOr(editorNumber(field(shrink, 'scale'), 0.6), 0.6), 0.1, 1);
  const drop = Math.max(0, editorNumber(field(shrink, 'drop'), 6)) || 6;
  const amp = Math.max(0, editorNumber(field(flutter, 'amp'), 0.02)) || 0.02;
  const freq = finiteOr(Math.max(1, editorNumber(field(flutter, 'freq'), 8)), 8);
  return (x) => {
    const f = peakFactor(x);
    const base = 1 - (1 - minScale) * f;
    const flutterNow = amp * 0.8 * f * Math.sin(x * Math.PI * freq * 1.6);
    const scale = Math.max(minScale, base - flutterNow - holdRing(x, 0.05, 16));
    return `translate3d(0px, ${css(drop * f)}px, 0px) scale(${css(scale)}, ${css(scale)})`;
  };
});

// ---------------------------------------------------------------- cwi-bouncing@2.0.0

interface BounceState {
  span: HTMLSpanElement;
  letters: HTMLSpanElement[];
  waveHeight: number;
  undo: Array<() => void>;
}
const BOUNCE = stateStore<BounceState>();

const letterDurationOf = (o: Params): number => clamp(finiteOr(editorNumber(o.letterDuration, 0.6), 0.6), 0.2, 0.9);

export const cwiBouncing: DomPluginModule = {
  init(el, params, ctx) {
    rememberTarget(ctx, el);
    const o: Params = params ?? {};
    const span = acquireWord(el);
    const { letters, created } = letterize(span, { color: 'inherit', position: 'relative', transform: LETTER_TRANSFORM });
    const undo: Array<() => void> = [saveStyle(span, ['opacity'])];
    letters.forEach((letter, i) => {
      letter.setAttribute('data-letter-idx', String(i));
      // Letters cwi-color made keep the colour it gives them (the editor resets them to inherit,
      // which only shows until cwi-color's next seek).
      if (!created) undo.push(saveStyle(letter, ['--letter-tx', '--letter-ty']));
    });
    // An older spelling gave the height as popScale × 8.
    const popScale = o.popScale;
    const fallback = popScale ? Number(popScale) * 8 : 12;
    const waveHeight = finiteOr(editorNumber(o.waveHeight, fallback), 12);
    BOUNCE.set(el, { span, letters, waveHeight, undo });
  },
  animate(el, params) {
    const st = BOUNCE.get(el);
    if (!st) return () => {};
    const o: Params = params ?? {};
    const height = Math.max(0, st.waveHeight);
    const share = letterDurationOf(o);
    const n = st.letters.length;
    const step = n > 1 ? (1 - share) / (n - 1) : 0;
    st.span.style.opacity = '1';
    return (p: number) => {
      const x = p01(p);
      st.letters.forEach((letter, i) => {
        const t = (x - i * step) / share;
        let tx = 0;
        let ty = 0;
        if (t > 0 && t < 1) {
          const e = easeInOutCubic(t);
          tx = Math.sin(e * Math.PI * 2) * 0.6;
          ty = -height * Math.sin(e * Math.PI);
        }
        letter.style.setProperty('--letter-tx', `${css(tx)}px`);
        letter.style.setProperty('--letter-ty', `${css(ty)}px`);
      });
    };
  },
  cleanup(el) {
    const st = BOUNCE.get(el);
    if (!st) return;
    BOUNCE.delete(el);
    for (const letter of st.letters) {
      letter.style.removeProperty('--letter-tx');
      letter.style.removeProperty('--letter-ty');
      letter.removeAttribute('data-letter-idx');
    }
    for (const undo of st.undo.reverse()) undo();
    releaseWord(el);
  },
  /** The whole word sways a little with the hop (tx/ty px, sx/sy), merged by the engine. */
  evalChannels(spec: PluginSpec, p: number): Channels {
    const height = finiteOr(editorNumber(field(spec?.params, 'waveHeight'), 12), 12);
    const e = easeInOutCubic(p01(p));
    const wave = Math.sin(e * Math.PI);
    const s = 1 + wave * 0.05;
    return { tx: Math.sin(e * Math.PI * 2) * 0.3, ty: -height * wave * 0.3, sx: s, sy: s };
  },
};

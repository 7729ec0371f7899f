// The editor's archived cwi plugins (@1.0.0, and cwi@1.0.0 / cwi@2.0.0, which differ only in
// their version), written against their manifests and measured against the editor.
//
// These act on a word span in the effects root's PARENT (see cwi-word.ts): they gather that
// parent's own text nodes into `span.cwi-word` placed before the effects root. With
// motiontext-renderer 2.x the node's text lives inside the effects root, so the span is empty and
// nothing they do shows — which is what the editor shows for them, and what we must match.
// The effects are still computed as the editor computes them, should a node carry text there.
//
//   cwi-color@1.0.0     white(90 %) → speaker colour over the whole window
//   cwi-loud@1.0.0      inside [t0, t1): speaker colour, 2.4× swell with a tremble, lifted 8 px
//   cwi-whisper@1.0.0   inside [t0, t1): speaker colour, 0.6×
//   cwi-bouncing@1.0.0  inside [t0, t1): speaker colour, pop to popScale (1.15) with a bob
//   cwi@1.0.0 / 2.0.0   one of the above by params.kind ('pop' by default, also for the
//                       `tokens` form, which names no kind): 'loud' | 'whisper' | 'pop' |
//                       'color' / 'colorChange' (the colour blend inside [t0, t1], kept after)
// t0 / t1 are compared with p × duration, and the engine passes duration 1.
import type { DomPluginModule } from './util.js';
import {
  type Params,
  WHITE90,
  acquireWord,
  easeOutCubic,
  editorNumber,
  field,
  finiteOr,
  releaseWord,
  rememberTarget,
  saveStyle,
  speakerColor,
  whiteTowards,
} from './cwi-word.js';

type Kind = 'sweep' | 'color' | 'loud' | 'whisper' | 'pop';

interface Look {
  color?: string;
  transform?: string;
}

const REST = 'translate(0px, 0px) scale(1, 1)';

function kindOf(params: Params): Kind {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scenario value of any type, read as its string
  const kind = String(params.kind || 'pop');
  if (kind === 'color' || kind === 'colorChange') return 'color';
  if (kind === 'loud' || kind === 'whisper') return kind;
  return 'pop';
}

/** The look of the word at progress p, a pure function of p once params are read. */
function looks(kind: Kind, o: Params, duration: number): (p: number) => Look {
  const target = speakerColor(o);
  if (kind === 'sweep') {
    return (p) => ({ color: p <= 0 ? WHITE90 : p >= 1 ? target : whiteTowards(target, easeOutCubic(p)) });
  }
  const total = Math.max(0.0001, Number(duration) || 0.0001);
  const t0 = Math.max(0, editorNumber(o.t0, 0) || 0);
  const t1 = Math.max(t0, editorNumber(o.t1, 0) || 0);
  const width = Math.max(0.0001, t1 - t0 || 0.0001);
  const tremble = field(o, 'tremble');
  const amp = finiteOr(editorNumber(field(tremble, 'ampPx'), 1.5), 1.5);
  const freq = finiteOr(editorNumber(field(tremble, 'freq'), 12), 12);
  const popScale = editorNumber(o.popScale, 1.15) || 1.15;
  return (p) => {
    const now = p * total;
    const w = (now - t0) / width;
    if (kind === 'color') {
      return { color: now < t0 ? WHITE90 : now >= t1 ? target : whiteTowards(target, easeOutCubic(w)) };
    }
    // Outside [t0, t1) the geometry rests; the colour, once given, stays (as played).
    const coloured = t1 > t0 && now >= t0 ? target : WHITE90;
    if (!(now >= t0 && now < t1)) return { color: coloured, transform: REST };
    if (kind === 'whisper') return { color: target, transform: 'scale(0.6, 0.6)' };
    if (kind === 'loud') {
      const s = 2.4 + 0.1 * Math.sin(w * Math.PI);
      const dx = amp * Math.sin(w * 2 * Math.PI * freq);
      const dy = amp * 0.6 * Math.cos(w * 2 * Math.PI * freq) - 8;
      return { color: target, transform: `translate(${dx}px, ${dy}px) scale(${s}, ${s})` };
    }
    const s = 1 + (popScale - 1) * easeOutCubic(Math.min(1, w * 1.2));
    const ty = Math.sin(w * Math.PI * 2) * 3;
    return { color: target, transform: `translate(0px, ${ty}px) scale(${s}, ${s})` };
  };
}

interface State {
  host: HTMLElement;
  span: HTMLSpanElement;
  undo: () => void;
}

function hostWordPlugin(kindFor: (params: Params) => Kind): DomPluginModule {
  const states = new WeakMap<HTMLElement, State>();
  return {
    init(el, _params, ctx) {
      rememberTarget(ctx, el);
      const host = el.parentElement;
      if (!host) return;
      const span = acquireWord(host, host.querySelector(':scope > [data-mtx-effects-root]'));
      states.set(el, { host, span, undo: saveStyle(span, ['color', 'transform', 'opacity']) });
    },
    animate(el, params, _ctx, duration) {
      const st = states.get(el);
      if (!st) return () => {};
      const o: Params = params ?? {};
      const kind = kindFor(o);
      const look = looks(kind, o, duration);
      st.span.style.color = WHITE90;
      if (kind !== 'sweep') st.span.style.transform = REST;
      st.span.style.opacity = '1';
      return (p: number) => {
        const l = look(Number.isFinite(p) ? p : 0);
        if (l.color !== undefined) st.span.style.color = l.color;
        if (l.transform !== undefined) st.span.style.transform = l.transform;
        st.span.style.opacity = '1';
      };
    },
    cleanup(el) {
      const st = states.get(el);
      if (!st) return;
      states.delete(el);
      st.undo();
      releaseWord(st.host);
    },
  };
}

export const cwiColorV1 = hostWordPlugin(() => 'sweep');
export const cwiLoudV1 = hostWordPlugin(() => 'loud');
export const cwiWhisperV1 = hostWordPlugin(() => 'whisper');
export const cwiBouncingV1 = hostWordPlugin(() => 'pop');
/** cwi@1.0.0 (and its 2.0.0 re-release): `kind` picks the effect. */
export const cwiKinds = hostWordPlugin(kindOf);

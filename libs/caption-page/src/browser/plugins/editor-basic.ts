// Our own versions of the editor's basic plugins (issue 10.2): bobY, pulse, spin, glow here;
// fadein, flames, typewriter in files of their own. Written against the editor's manifests and
// measured against its plugin server (npm run plugin-parity); @1.0.0 and @2.0.0 behave alike.
//
// How the editor's versions look on screen, which these reproduce:
// - hybrid bobY / pulse: the engine applies BOTH parts — the channel (ty / scale on the base
//   wrapper, `cycles` times over the window) and the DOM part (a GSAP timeline on the effects
//   root, driven by progress(p), which GSAP maps onto one iteration: one up-and-down over the
//   window whatever `cycles` says). So pulse peaks at maxScale² (1.44 with the default 1.2).
// - spin: a channel at constant angular speed.
// - glow: a blurred radial gradient behind the glyphs plus a three-layer text-shadow on the base
//   wrapper, one pulse (intensity → +0.3 → −0.2) over the window.
// Every seek is a pure function of p after init; cleanup restores the element exactly.
import { fadein } from './fadein.js';
import { flames } from './flames.js';
import { typewriter } from './typewriter.js';
import { EDITOR_BASIC_DEFAULTS } from './editor-basic-defaults.js';
import { boolParam, hexRgba, numberParam, oneCycle, rememberTarget, round4, setRootTransform } from './editor-timing.js';
import type { ChannelPluginModule, DomPluginModule, PluginModule, PluginSpec } from './util.js';

export { EDITOR_BASIC_DEFAULTS };

const specParams = (spec: PluginSpec | undefined): Record<string, unknown> =>
  spec?.params && typeof spec.params === 'object' ? spec.params : {};

// ---------------------------------------------------------------- bobY (hybrid)
const bobYDefaults = EDITOR_BASIC_DEFAULTS.bobY;
export const bobY: DomPluginModule = {
  evalChannels(spec, p) {
    const o = specParams(spec);
    const amp = numberParam(o.amplitudePx, bobYDefaults.amplitudePx);
    const cycles = Math.max(1, numberParam(o.cycles, bobYDefaults.cycles));
    return { ty: round4(Math.sin(p * Math.PI * 2 * cycles) * amp) };
  },
  init(el, _params, ctx) {
    rememberTarget(el, ctx);
  },
  animate(el, params) {
    const amp = numberParam(params?.amplitudePx, bobYDefaults.amplitudePx);
    return (p) => setRootTransform(el, 'y', oneCycle(p, 0, amp, 0), p > 0 && p < 1);
  },
  cleanup(el) {
    setRootTransform(el, 'y', null);
  },
};

// ---------------------------------------------------------------- pulse (hybrid)
const pulseDefaults = EDITOR_BASIC_DEFAULTS.pulse;
export const pulse: DomPluginModule = {
  evalChannels(spec, p) {
    const o = specParams(spec);
    const maxScale = numberParam(o.maxScale, pulseDefaults.maxScale);
    const cycles = Math.max(1, numberParam(o.cycles, pulseDefaults.cycles));
    const s = round4(1 + (maxScale - 1) * (0.5 - 0.5 * Math.cos(p * Math.PI * 2 * cycles)));
    return { sx: s, sy: s };
  },
  init(el, _params, ctx) {
    rememberTarget(el, ctx);
  },
  animate(el, params) {
    const maxScale = numberParam(params?.maxScale, pulseDefaults.maxScale);
    return (p) => setRootTransform(el, 'scale', oneCycle(p, 1, maxScale, 1), p > 0 && p < 1);
  },
  cleanup(el) {
    setRootTransform(el, 'scale', null);
  },
};

// ---------------------------------------------------------------- spin (channel)
export const spin: ChannelPluginModule = {
  evalChannels(spec, p) {
    const turns = numberParam(specParams(spec).fullTurns, EDITOR_BASIC_DEFAULTS.spin.fullTurns);
    return { rot: round4(360 * p * turns) };
  },
};

// ---------------------------------------------------------------- glow (dom)
const glowDefaults = EDITOR_BASIC_DEFAULTS.glow;
interface GlowState {
  layer: HTMLDivElement;
  host: HTMLElement | null;
  hostShadow: string;
}
const GLOW = new WeakMap<HTMLElement, GlowState>();

const glowShadow = (color: unknown, k: number): string =>
  `0 0 6px ${hexRgba(color, Math.min(1, k))}, 0 0 12px ${hexRgba(color, Math.min(1, k * 0.8))}, 0 0 18px ${hexRgba(color, Math.min(1, k * 0.6))}`;

export const glow: DomPluginModule = {
  init(el, params, ctx) {
    rememberTarget(el, ctx);
    glow.cleanup(el);
    const color = params?.color ?? glowDefaults.color;
    const intensity = numberParam(params?.intensity, glowDefaults.intensity);
    const layer = document.createElement('div');
    layer.setAttribute('data-glow', ''); // the engine re-inits glow when [data-glow] is missing
    Object.assign(layer.style, {
      position: 'absolute',
      left: '0',
      top: '0',
      width: '100%',
      height: '100%',
      pointerEvents: 'none',
      zIndex: '-1', // behind the glyphs, inside the base wrapper's stacking context
      filter: 'blur(24px)',
      background: `radial-gradient(circle at 50% 50%, ${hexRgba(color, intensity)} 30%, rgba(0,0,0,0) 80%)`,
      opacity: String(Math.max(0, Math.min(1, intensity))),
    });
    el.appendChild(layer);
    const host = el.parentElement;
    GLOW.set(el, { layer, host, hostShadow: host?.style.textShadow ?? '' });
    if (host) host.style.textShadow = glowShadow(color, intensity);
  },
  animate(el, params) {
    const st = GLOW.get(el);
    if (!st) return () => {};
    const color = params?.color ?? glowDefaults.color;
    const intensity = numberParam(params?.intensity, glowDefaults.intensity);
    const pulsing = boolParam(params?.pulse, glowDefaults.pulse);
    return (p) => {
      if (!pulsing) {
        st.layer.style.opacity = String(intensity);
        return;
      }
      const k = round4(oneCycle(p, intensity, Math.min(1, intensity + 0.3), Math.max(0, intensity - 0.2)));
      st.layer.style.opacity = String(k);
      if (st.host) st.host.style.textShadow = glowShadow(color, k);
    };
  },
  cleanup(el) {
    const st = GLOW.get(el);
    if (!st) return;
    st.layer.remove();
    if (st.host) st.host.style.textShadow = st.hostShadow;
    GLOW.delete(el);
  },
};

// ---------------------------------------------------------------- the record
const both = (name: string, module: PluginModule): Record<string, PluginModule> => ({
  [`${name}@2.0.0`]: module,
  [`${name}@1.0.0`]: module,
});

export const editorBasicPlugins: Record<string, PluginModule> = {
  ...both('bobY', bobY),
  ...both('pulse', pulse),
  ...both('spin', spin),
  ...both('glow', glow),
  ...both('flames', flames),
  ...both('fadein', fadein),
  ...both('typewriter', typewriter),
};

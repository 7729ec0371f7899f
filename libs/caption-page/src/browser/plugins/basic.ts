// Our own channel plugins (not on the editor's server): pure functions of (params, p) returning
// motiontext channels (tx/ty px, sx/sy, opacity). The engine writes them to CSS variables on the
// node's .mtx-base-wrapper; the page resets those variables before every seek. Our versions of
// the editor's bobY, pulse, spin, glow, flames are in editor-basic.ts.
import { type ChannelPluginModule, clamp01, easeInOutCubic, easeOutCubic, num, params, r3 } from './util.js';

export const fadeIn: ChannelPluginModule = {
  evalChannels(spec, p) {
    return { opacity: r3(easeOutCubic(p)) };
  },
};

export const fadeOut: ChannelPluginModule = {
  evalChannels(spec, p) {
    return { opacity: r3(1 - easeOutCubic(p)) };
  },
};

/** Scale-in with overshoot: from startScale up past maxScale, settling at 1. */
export const pop: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const maxScale = num(o.maxScale, 1.2);
    const startScale = num(o.startScale, 0.6);
    const x = clamp01(p);
    const peak = 0.6;
    const s =
      x < peak
        ? startScale + (maxScale - startScale) * easeOutCubic(x / peak)
        : maxScale + (1 - maxScale) * easeInOutCubic((x - peak) / (1 - peak));
    return { sx: r3(s), sy: r3(s), opacity: r3(Math.min(1, 0.2 + x * 4)) };
  },
};

export const slideInLeft: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const distance = num(o.distancePx ?? o.distance ?? o.offsetPx, 120);
    const e = easeOutCubic(p);
    return { tx: r3(-distance * (1 - e)), opacity: r3(clamp01(p * 2.5)) };
  },
};

export const shakeX: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const amp = num(o.amplitudePx ?? o.amplitude, 6);
    const cycles = num(o.cycles ?? o.frequency, 8);
    return { tx: r3(amp * Math.sin(2 * Math.PI * cycles * clamp01(p))) };
  },
};

export const waveY: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const amp = num(o.amplitudePx ?? o.amplitude, 8);
    const freq = num(o.frequency ?? o.cycles, 2);
    return { ty: r3(-amp * Math.sin(2 * Math.PI * freq * clamp01(p))) };
  },
};

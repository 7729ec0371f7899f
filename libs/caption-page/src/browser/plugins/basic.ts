// Channel plugins: pure functions of (params, p) returning motiontext channels
// (tx/ty px, sx/sy, rot deg, opacity, filter, and our custom `color`). The engine writes them to
// CSS variables on the node's .mtx-base-wrapper; the page resets those variables before every seek.
import {
  type ChannelPluginModule,
  type Channels,
  clamp01,
  easeInOutCubic,
  easeOutBack,
  easeOutCubic,
  formatColor,
  noise,
  num,
  params,
  parseColor,
  r3,
  str,
} from './util.js';

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

/** Bobs upward and back: rests at both ends of every cycle. */
export const bobY: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const amp = num(o.amplitudePx ?? o.amplitude, 8);
    const cycles = num(o.cycles ?? o.frequency, 2);
    return { ty: r3((-amp * (1 - Math.cos(2 * Math.PI * cycles * clamp01(p)))) / 2) };
  },
};

export const pulse: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const maxScale = num(o.maxScale ?? o.scale, 1.1);
    const cycles = num(o.cycles, 1);
    const s = 1 + ((maxScale - 1) * (1 - Math.cos(2 * Math.PI * cycles * clamp01(p)))) / 2;
    return { sx: r3(s), sy: r3(s) };
  },
};

export const spin: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const turns = num(o.fullTurns ?? o.turns, 1);
    return { rot: r3(360 * turns * easeInOutCubic(p)) };
  },
};

/** Coloured halo through the engine's `filter` channel (drop-shadow follows the glyphs). */
export const glow: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const c = parseColor(str(o.color, '#00ffff')) ?? { r: 0, g: 255, b: 255, a: 1 };
    const intensity = Math.max(0, Math.min(1, num(o.intensity, 0.4)));
    const cycles = num(o.cycles, 4);
    const pulsing = o.pulse !== false;
    const k = pulsing ? 0.55 + 0.45 * (1 - Math.cos(2 * Math.PI * cycles * clamp01(p))) / 2 : 1;
    const radius = r3(4 + 24 * intensity * k);
    const inner = formatColor({ ...c, a: Math.min(1, 0.5 + intensity) * c.a });
    const outer = formatColor({ ...c, a: Math.min(1, 0.25 + intensity * k) * c.a });
    return { filter: `drop-shadow(0 0 ${r3(radius / 3)}px ${inner}) drop-shadow(0 0 ${radius}px ${outer})` };
  },
};

/** Flickering fire-coloured halo rising above the text; flicker is seeded noise over p. */
export const flames: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const base = Math.max(0, Math.min(1, num(o.baseOpacity, 0.8)));
    const flicker = Math.max(0, Math.min(1, num(o.flicker, 0.3)));
    const cycles = num(o.cycles, 8);
    const x = clamp01(p) * cycles;
    const n1 = noise(x, 1);
    const n2 = noise(x, 2);
    const a = Math.max(0, Math.min(1, base + flicker * n1));
    const rise = r3(3 + 3 * (1 + n2));
    const blur = r3(6 + 4 * (1 + n1));
    const channels: Channels = {
      filter:
        `drop-shadow(0 -${rise}px ${blur}px ${formatColor({ r: 255, g: 120, b: 0, a })}) ` +
        `drop-shadow(0 -${r3(rise * 2)}px ${r3(blur * 1.6)}px ${formatColor({ r: 255, g: 40, b: 0, a: a * 0.8 })})`,
      ty: r3(-0.8 * (1 + n2)),
    };
    return channels;
  },
};

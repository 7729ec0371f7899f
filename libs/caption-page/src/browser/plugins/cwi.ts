// Caption-with-Intention plugins: per-word emphasis driven by speaker and loudness.
//   cwi-color   : white → speaker colour (params.color, else palette[speaker], else #FFD400)
//   cwi-loud    : word swells (pulse.scale), lifts (pulse.lift px) and trembles (tremble.ampPx/freq)
//   cwi-whisper : word shrinks (shrink.scale), drops (shrink.drop px), flutters (flutter.amp/freq)
//   cwi-bouncing: 2.0.0 letters hop in a wave (waveHeight px, letterDuration share);
//                 1.0.0 the word pops (1.15×) and bobs, in the speaker colour
//   cwi@1.0.0   : the monolithic original; params.kind picks one of the above
// Version 1.0.0 also honours params.t0/t1: the effect runs in that sub-range (0..1) of the window.
import {
  type ChannelPluginModule,
  type Channels,
  type DomPluginModule,
  type PluginSpec,
  clamp01,
  easeInOutCubic,
  easeOutCubic,
  envelope,
  formatColor,
  graphemes,
  mixColor,
  num,
  obj,
  params,
  parseColor,
  r3,
  restoreText,
  snapshotText,
  str,
} from './util.js';

const FROM_WHITE = { r: 255, g: 255, b: 255, a: 0.9 };

function speakerColor(o: Record<string, unknown>, fallback: string | null): string | null {
  const explicit = str(o.color, '');
  if (explicit && parseColor(explicit)) return explicit;
  const palette = obj(o.palette);
  const speaker = str(o.speaker, '');
  if (speaker && typeof palette[speaker] === 'string' && parseColor(palette[speaker])) return palette[speaker] as string;
  return fallback;
}

/** Local progress inside [t0, t1] (fractions of the window), or null outside it. */
function subWindow(p: number, o: Record<string, unknown>): number | null {
  const t0 = clamp01(num(o.t0, 0));
  const t1 = clamp01(num(o.t1, 1));
  if (!(t1 > t0)) return clamp01(p);
  if (p < t0 || p > t1) return null;
  return (p - t0) / (t1 - t0);
}

function colorChannels(o: Record<string, unknown>, p: number, rampEnd: number): Channels {
  const target = parseColor(speakerColor(o, '#FFD400'));
  if (!target) return {};
  return { color: formatColor(mixColor(FROM_WHITE, target, easeOutCubic(p / rampEnd))) };
}

function cwiColor(version: 1 | 2): ChannelPluginModule {
  return {
    evalChannels(spec: PluginSpec, p: number) {
      const o = params(spec);
      if (version === 1 && (o.t0 !== undefined || o.t1 !== undefined)) {
        const t0 = clamp01(num(o.t0, 0));
        const t1 = Math.max(t0, clamp01(num(o.t1, 1)));
        const local = p <= t0 ? 0 : p >= t1 ? 1 : (p - t0) / Math.max(1e-4, t1 - t0);
        return colorChannels(o, local, 1);
      }
      return colorChannels(o, clamp01(p), 0.2);
    },
  };
}

function loudChannels(o: Record<string, unknown>, pw: number, defaults: { scale: number; lift: number }): Channels {
  const pulseP = obj(o.pulse);
  const tremble = obj(o.tremble);
  const scale = num(pulseP.scale ?? o.scale, defaults.scale);
  const lift = num(pulseP.lift ?? o.lift, defaults.lift);
  const amp = num(tremble.ampPx ?? tremble.amp, 1.5);
  const freq = num(tremble.freq, 12);
  const env = envelope(pw, 0.12, 0.15);
  const w = 2 * Math.PI * freq * pw;
  const s = 1 + (scale - 1) * env + 0.04 * Math.sin(Math.PI * pw) * env;
  return {
    sx: r3(s),
    sy: r3(s),
    tx: r3(amp * Math.sin(w) * env),
    ty: r3(-lift * env + amp * 0.6 * Math.cos(w) * env),
  };
}

function whisperChannels(o: Record<string, unknown>, pw: number, defaults: { scale: number; drop: number }): Channels {
  const shrink = obj(o.shrink);
  const flutter = obj(o.flutter);
  const scale = num(shrink.scale ?? o.scale, defaults.scale);
  const drop = num(shrink.drop ?? o.drop, defaults.drop);
  const amp = num(flutter.amp, 0.02);
  const freq = num(flutter.freq, 8);
  const env = envelope(pw, 0.15, 0.15);
  const s = 1 - (1 - scale) * env + amp * Math.sin(2 * Math.PI * freq * pw) * env;
  return { sx: r3(s), sy: r3(s), ty: r3(drop * env), opacity: r3(1 - 0.2 * env) };
}

function bouncingV1Channels(o: Record<string, unknown>, pw: number): Channels {
  const popScale = num(o.popScale, 1.15);
  const s = 1 + (popScale - 1) * easeOutCubic(Math.min(1, pw * 1.2)) * envelope(pw, 0, 0.2);
  return { sx: r3(s), sy: r3(s), ty: r3(-Math.sin(pw * Math.PI) * num(o.waveHeight, 6)) };
}

function withColor(o: Record<string, unknown>, pw: number, ch: Channels, fallback: string | null): Channels {
  const c = parseColor(speakerColor(o, fallback));
  if (c) ch.color = formatColor(mixColor(FROM_WHITE, c, easeOutCubic(pw / 0.15)));
  return ch;
}

function cwiLoud(version: 1 | 2): ChannelPluginModule {
  return {
    evalChannels(spec, p) {
      const o = params(spec);
      const pw = version === 1 ? subWindow(p, o) : clamp01(p);
      if (pw === null) return {};
      const ch = loudChannels(o, pw, version === 1 ? { scale: 2.4, lift: 8 } : { scale: 2.0, lift: 12 });
      return withColor(o, pw, ch, version === 1 ? '#FFD400' : null);
    },
  };
}

function cwiWhisper(version: 1 | 2): ChannelPluginModule {
  return {
    evalChannels(spec, p) {
      const o = params(spec);
      const pw = version === 1 ? subWindow(p, o) : clamp01(p);
      if (pw === null) return {};
      const ch = whisperChannels(o, pw, { scale: 0.6, drop: version === 1 ? 0 : 6 });
      return withColor(o, pw, ch, version === 1 ? '#FFD400' : null);
    },
  };
}

const cwiBouncingV1: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const pw = subWindow(p, o);
    if (pw === null) return {};
    return withColor(o, pw, bouncingV1Channels(o, pw), '#FFD400');
  },
};

interface LetterState {
  letters: HTMLSpanElement[];
}
const LETTERS = new WeakMap<HTMLElement, LetterState>();

/** cwi-bouncing@2.0.0: hybrid. DOM part makes letters hop in sequence; channel part colours. */
const cwiBouncingV2: DomPluginModule = {
  init(el, _params, ctx) {
    if (ctx && typeof ctx === 'object') ctx.targetElement = el; // the engine passes this to cleanup
    const text = snapshotText(el);
    el.textContent = '';
    const letters: HTMLSpanElement[] = [];
    // Words stay unbreakable (nowrap) so letter spans never wrap mid-word; spaces stay text.
    for (const part of text.split(/(\s+)/)) {
      if (part === '') continue;
      if (/^\s+$/.test(part)) {
        el.appendChild(document.createTextNode(part));
        continue;
      }
      const word = document.createElement('span');
      word.className = 'ecg-cwi-word';
      word.style.whiteSpace = 'nowrap';
      for (const g of graphemes(part)) {
        const s = document.createElement('span');
        s.className = 'ecg-cwi-letter';
        s.textContent = g;
        s.style.display = 'inline-block';
        word.appendChild(s);
        letters.push(s);
      }
      el.appendChild(word);
    }
    LETTERS.set(el, { letters });
  },
  animate(el, params) {
    const st = LETTERS.get(el);
    if (!st) return () => {};
    const o = params ?? {};
    const waveHeight = Math.max(0, num(o.waveHeight, num(o.popScale, 0) ? num(o.popScale, 1.5) * 8 : 12));
    const letterDuration = Math.max(0.2, Math.min(0.9, num(o.letterDuration, 0.6)));
    return (p: number) => {
      const x = clamp01(p);
      const total = st.letters.length;
      const perDelay = total > 1 ? (1 - letterDuration) / (total - 1) : 0;
      st.letters.forEach((letter, i) => {
        const t = (x - i * perDelay) / letterDuration;
        if (t <= 0 || t >= 1) {
          letter.style.transform = '';
          return;
        }
        const e = easeInOutCubic(t);
        const lift = -waveHeight * Math.sin(e * Math.PI);
        const sway = Math.sin(e * Math.PI * 2) * 0.6;
        letter.style.transform = `translate(${r3(sway)}px, ${r3(lift)}px)`;
      });
    };
  },
  cleanup(el) {
    LETTERS.delete(el);
    restoreText(el);
  },
  evalChannels(spec, p): Channels {
    const o = params(spec);
    const c = parseColor(speakerColor(o, null));
    return c ? { color: formatColor(mixColor(FROM_WHITE, c, easeOutCubic(clamp01(p) / 0.15))) } : {};
  },
};

/** cwi@1.0.0: the original all-in-one plugin; `kind` selects the effect. */
const cwiV1: ChannelPluginModule = {
  evalChannels(spec, p) {
    const o = params(spec);
    const kind = str(o.kind, 'pop').toLowerCase();
    if (kind === 'color' || kind === 'colorchange') return cwiColor(1).evalChannels(spec, p, undefined);
    if (kind === 'loud') return cwiLoud(1).evalChannels(spec, p, undefined);
    if (kind === 'whisper') return cwiWhisper(1).evalChannels(spec, p, undefined);
    return cwiBouncingV1.evalChannels(spec, p, undefined);
  },
};

export const cwiPlugins = {
  'cwi@1.0.0': cwiV1,
  'cwi@2.0.0': cwiV1,
  'cwi-color@1.0.0': cwiColor(1),
  'cwi-color@2.0.0': cwiColor(2),
  'cwi-loud@1.0.0': cwiLoud(1),
  'cwi-loud@2.0.0': cwiLoud(2),
  'cwi-whisper@1.0.0': cwiWhisper(1),
  'cwi-whisper@2.0.0': cwiWhisper(2),
  'cwi-bouncing@1.0.0': cwiBouncingV1,
  'cwi-bouncing@2.0.0': cwiBouncingV2,
} as const;

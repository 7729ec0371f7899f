// flames (dom): a fire image behind the glyphs, covering the node's box (object-fit: cover),
// its opacity running baseOpacity → +flicker → −flicker once over the window (the editor's
// timeline is driven with progress(p), one iteration per window), as the editor's plugin does.
// The editor's fire is a GIF on the wall clock; ours is our own sprite sheet (drawn by
// scripts/generate-flame-sprite.mjs) whose frame is chosen from the node's time at 10 frames a
// second like the GIF, so every frame of a render is deterministic.
import { numberParam, oneCycle, rememberTarget, round4 } from './editor-timing.js';
import { EDITOR_BASIC_DEFAULTS } from './editor-basic-defaults.js';
import { pluginWindowSeconds } from './plugin-window.js';
import type { DomPluginModule } from './util.js';

const DEFAULTS = EDITOR_BASIC_DEFAULTS.flames;

/** Must match scripts/generate-flame-sprite.mjs. */
export const FLAME_SPRITE = { path: 'assets/flame.png', frames: 24, fps: 10 } as const;
/** When the plugin's window cannot be read from the scenario, assume this long a window. */
const FALLBACK_WINDOW_S = 2;

interface FlameState {
  img: HTMLImageElement;
}
const STATE = new WeakMap<HTMLElement, FlameState>();

type Ctx = { assets?: { getUrl?: (p: string) => string }; scenario?: { scenario?: unknown } } | undefined;

export const flames: DomPluginModule = {
  init(el, params, ctx) {
    rememberTarget(el, ctx);
    flames.cleanup(el);
    const url = (ctx as Ctx)?.assets?.getUrl?.(FLAME_SPRITE.path);
    if (!url) return;
    const img = document.createElement('img');
    img.setAttribute('data-flames', ''); // the engine re-inits flames when img[data-flames] is missing
    img.alt = '';
    img.decoding = 'sync';
    Object.assign(img.style, {
      position: 'absolute',
      left: '0',
      top: '0',
      width: '100%',
      height: '100%',
      objectFit: 'cover',
      zIndex: '-1',
      pointerEvents: 'none',
      opacity: String(numberParam(params?.baseOpacity, DEFAULTS.baseOpacity)),
    });
    showFrame(img, 0);
    img.src = url;
    el.appendChild(img);
    STATE.set(el, { img });
  },
  animate(el, params, ctx) {
    const st = STATE.get(el);
    if (!st) return () => {};
    const base = numberParam(params?.baseOpacity, DEFAULTS.baseOpacity);
    const flicker = numberParam(params?.flicker, DEFAULTS.flicker);
    const w = pluginWindowSeconds(el, ctx, 'flames');
    const seconds = w ? w[1] - w[0] : FALLBACK_WINDOW_S;
    return (p) => {
      const x = p < 0 ? 0 : p > 1 ? 1 : p;
      st.img.style.opacity = String(round4(oneCycle(x, base, Math.min(1, base + flicker), Math.max(0, base - flicker))));
      showFrame(st.img, Math.floor(x * seconds * FLAME_SPRITE.fps + 1e-6) % FLAME_SPRITE.frames);
    };
  },
  cleanup(el) {
    const st = STATE.get(el);
    if (!st) return;
    st.img.remove();
    STATE.delete(el);
  },
};

/** Crops the sprite sheet (frames stacked top to bottom) to one frame; cover applies to that. */
function showFrame(img: HTMLImageElement, frame: number): void {
  const n = FLAME_SPRITE.frames;
  const top = round4((frame / n) * 100);
  const bottom = round4(((n - 1 - frame) / n) * 100);
  img.style.setProperty('object-view-box', `inset(${top}% 0% ${bottom}% 0%)`);
}

// flames (dom): a fire image behind the glyphs, covering the node's box (object-fit: cover),
// its opacity running baseOpacity → +flicker → −flicker once over the window (the editor's
// timeline is driven with progress(p), one iteration per window), as the editor's plugin does.
// The editor's fire is a GIF on the wall clock; ours is our own sprite sheet (drawn by
// scripts/generate-flame-sprite.mjs) whose frame is chosen from the node's time at 10 frames a
// second like the GIF, so every frame of a render is deterministic.
import { numberParam, oneCycle, rememberTarget, round4 } from './editor-timing.js';
import type { DomPluginModule } from './util.js';

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
      opacity: String(numberParam(params?.baseOpacity, 0.8)),
    });
    showFrame(img, 0);
    img.src = url;
    el.appendChild(img);
    STATE.set(el, { img });
  },
  animate(el, params, ctx) {
    const st = STATE.get(el);
    if (!st) return () => {};
    const base = numberParam(params?.baseOpacity, 0.8);
    const flicker = numberParam(params?.flicker, 0.3);
    const seconds = windowSeconds(el, ctx) ?? FALLBACK_WINDOW_S;
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

// ---------------------------------------------------------------- the window in seconds
// The engine normalises DOM plugins to duration 1; the seconds come from the scenario the
// engine hands plugins (ctx.scenario.scenario): the node's flames entry, its baseTime/timeOffset.
interface NodeLike {
  id?: unknown;
  baseTime?: unknown;
  displayTime?: unknown;
  pluginChain?: unknown;
  children?: unknown;
}

function windowSeconds(el: HTMLElement, ctx: unknown): number | null {
  try {
    const host = el.closest<HTMLElement>('[data-node-key]');
    const key = host?.dataset.nodeKey;
    const nodeId = host?.dataset.nodeId;
    const scenario = (ctx as Ctx)?.scenario?.scenario as { cues?: Array<{ id?: unknown; root?: NodeLike }> } | undefined;
    if (!key || !nodeId || !Array.isArray(scenario?.cues)) return null;
    const cueId = key.slice(0, key.length - nodeId.length - 1);
    const cue = scenario.cues.find((c) => c?.id === cueId);
    const node = cue?.root ? findNode(cue.root, nodeId, 0) : null;
    if (!node || !Array.isArray(node.pluginChain)) return null;
    const spec = (node.pluginChain as Array<Record<string, unknown>>).find((s) => {
      const name = typeof s?.name === 'string' ? s.name : '';
      return name === 'flames' || name.startsWith('flames@');
    });
    if (!spec) return null;
    const base = spec.baseTime ?? node.baseTime ?? node.displayTime;
    if (!Array.isArray(base) || !base.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
    const [b0, b1] = base as number[];
    const off = Array.isArray(spec.timeOffset) ? spec.timeOffset : ['0%', '100%'];
    const s = bound(off[0], b0, b1, b0);
    const e = bound(off[1], b0, b1, b1);
    const d = e - s;
    return Number.isFinite(d) && d > 0 ? d : null;
  } catch {
    return null;
  }
}

function findNode(n: NodeLike, id: string, depth: number): NodeLike | null {
  if (n.id === id) return n;
  if (depth > 64 || !Array.isArray(n.children)) return null;
  for (const c of n.children as NodeLike[]) {
    const hit = c && typeof c === 'object' ? findNode(c, id, depth + 1) : null;
    if (hit) return hit;
  }
  return null;
}

/** As the engine resolves a timeOffset bound: "x%" of the base duration, or seconds. */
function bound(v: unknown, b0: number, b1: number, anchor: number): number {
  if (typeof v === 'number') return anchor + v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.endsWith('%')) {
      const pct = parseFloat(s.slice(0, -1));
      return anchor + (b1 - b0) * (Number.isFinite(pct) ? pct / 100 : 0);
    }
    const n = parseFloat(s);
    if (Number.isFinite(n)) return anchor + n;
  }
  return anchor;
}

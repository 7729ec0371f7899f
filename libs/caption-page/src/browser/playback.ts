// Playback semantics on a page that builds every frame from scratch.
//
// The editor's preview plays: a DOM plugin is initialised the first time its window is reached
// while its node is mounted, and once the window has passed the engine keeps applying p = 1
// (RendererV2.applyDomPluginProgressIfInitialized) — a sung word stays coloured. A cold seek
// never initialised it, so the engine leaves the node in its base state. We rebuild the caption
// DOM before every seek (determinism, see main.ts resetBeforeSeek), so we make the engine's
// "after the window" branch do what playback would have done: initialise the plugin and apply
// p = 1 — in the engine's own chain order, so plugins stacked on one node meet each other in
// the same order as in playback.
//
// A DOM plugin's state can also depend on the progresses it saw before: gsap records a tween's
// start values when the playhead first reaches it (the editor's fadein starts a 1.03× swell
// while the scale-up is still running, from wherever the scale-up then is). So when the page
// initialises a plugin it first plays it, at the render's frame rate, through the frames of its
// window that came before t — as the editor's preview would have — and only then applies t's
// progress. Every frame is still built from scratch: the pixels depend on t, not on history.
//
// Channel plugins leave their mark too: the engine writes a frame's channels as CSS variables
// and writes nothing once a window is over, so a node keeps the channels of the last frame its
// plugin ran on (the editor's spin@1.0.0 ends between two frames: the word stays tilted). The
// page adds those residual channels, evaluated at that last frame, under the active ones.

import { HISTORY_FREE_SEEKERS } from './plugin-registry.js';

interface PluginSpec {
  name: string;
  baseTime?: unknown;
  timeOffset?: unknown;
  params?: unknown;
  compose?: string;
}
type Channels = Record<string, unknown>;
interface NodeLike {
  displayTime?: [number, number];
  baseTime?: unknown;
}
export interface PlaybackInternals {
  mountedElements: Map<string, { element: HTMLElement; node?: NodeLike }>;
  domPluginStates: Map<string, Map<string, { initialized?: boolean; seekFunction?: unknown }>>;
  applyDomPluginProgressIfInitialized(plugin: PluginSpec, element: HTMLElement, p: number): void;
  manageDomPluginState(nodeId: string, plugin: PluginSpec, effectsRoot: HTMLElement, p: number): void;
  resolveAllDefines(v: unknown): unknown;
  processPluginChain(node: NodeLike, chain: PluginSpec[], t: number, element: HTMLElement): Channels;
  detectPluginType(plugin: PluginSpec): Set<string>;
  evaluateChannelPlugin(plugin: PluginSpec, p: number, element: HTMLElement): Channels;
  mergeChannels(target: Channels, source: Channels, mode: string): void;
}

/** One bound of a plugin window, as the engine resolves it (seconds or "n%" of the base). */
function bound(b: unknown, start: number, end: number, which: 'start' | 'end'): number {
  const base = which === 'start' ? start : end;
  if (typeof b === 'number') return Number.isFinite(b) ? base + b : base;
  if (typeof b === 'string') {
    const s = b.trim();
    const n = parseFloat(s.endsWith('%') ? s.slice(0, -1) : s);
    if (!Number.isFinite(n)) return base;
    return s.endsWith('%') ? base + (end - start) * (n / 100) : base + n;
  }
  return base;
}

/** The plugin's window [start, end] in seconds, or null when the engine could not compute one. */
function pluginWindow(rv2: PlaybackInternals, node: NodeLike, plugin: PluginSpec): [number, number] | null {
  const baseTime = rv2.resolveAllDefines(plugin.baseTime ?? node.baseTime ?? node.displayTime);
  if (!Array.isArray(baseTime) || !Number.isFinite(baseTime[0]) || !Number.isFinite(baseTime[1])) return null;
  const [start, end] = baseTime as [number, number]; // finite numbers, checked above
  const offset = rv2.resolveAllDefines(plugin.timeOffset ?? ['0%', '100%']);
  const offsets: unknown[] = Array.isArray(offset) ? offset : ['0%', '100%'];
  return [bound(offsets[0], start, end, 'start'), bound(offsets[1], start, end, 'end')];
}

/** The window overlapped the time the node was on screen, so playback ran the plugin. */
function ranWhileMounted(rv2: PlaybackInternals, node: NodeLike, plugin: PluginSpec): boolean {
  const w = pluginWindow(rv2, node, plugin);
  if (!w || !(w[1] >= w[0])) return false;
  const [d0, d1] = node.displayTime ?? [-Infinity, Infinity];
  return w[1] >= d0 && w[0] <= d1;
}

/** The mount record of an element (keyed "cue:node" by the engine; few are mounted at a time). */
function mountedEntryOf(rv2: PlaybackInternals, element: HTMLElement): { node?: NodeLike } | undefined {
  for (const m of rv2.mountedElements.values()) if (m.element === element) return m;
  return undefined;
}

/** Frames replayed at most per initialisation (20 s at 30 fps): bounds a frame's cost. */
const MAX_REPLAYED_FRAMES = 600;

const playhead = { t: 0, fps: 30 };

/** The time the next seek shows and the render's frame rate (the grid playback steps on). */
export function setPlayhead(t: number, fps: number): void {
  playhead.t = t;
  if (fps > 0 && Number.isFinite(fps)) playhead.fps = fps;
}

/**
 * The progresses the plugin saw on the frames of its window before the playhead, while its node
 * was mounted: k / fps for frames k in [max(window start, node start), t).
 */
function earlierProgresses(rv2: PlaybackInternals, node: NodeLike, plugin: PluginSpec): number[] {
  const w = pluginWindow(rv2, node, plugin);
  if (!w || !(w[1] > w[0])) return [];
  const { t, fps } = playhead;
  const from = Math.max(w[0], node.displayTime?.[0] ?? -Infinity);
  const out: number[] = [];
  for (let k = firstFrameAtOrAfter(from, fps); k / fps < t && out.length < MAX_REPLAYED_FRAMES; k++) {
    const tau = k / fps;
    if (tau > w[1]) break;
    out.push(Math.max(0, Math.min(1, (tau - w[0]) / (w[1] - w[0]))));
  }
  return out.length > MAX_REPLAYED_FRAMES - 1 ? out.slice(-MAX_REPLAYED_FRAMES) : out;
}

/**
 * Makes the engine play a DOM plugin through the earlier frames of its window when it
 * initialises it, and keep DOM plugins' end states after their windows, as playback does.
 */
// Frame k shows t = k / fps, computed exactly so (the engine compares these times with windows
// inclusively and without tolerance: 66 / 30 lies outside [0.6, 1.4 + 0.8] in floating point).
function firstFrameAtOrAfter(x: number, fps: number): number {
  let k = Math.ceil(x * fps);
  while ((k - 1) / fps >= x) k--;
  while (k / fps < x) k++;
  return k;
}
function lastFrameAtOrBefore(x: number, fps: number): number {
  let k = Math.floor(x * fps);
  while ((k + 1) / fps <= x) k++;
  while (k / fps > x) k--;
  return k;
}

/** The last frame (on the grid, before t) on which the plugin ran while its node was mounted. */
function lastFrameIn(w: [number, number], node: NodeLike, t: number): number | null {
  const { fps } = playhead;
  const from = Math.max(w[0], node.displayTime?.[0] ?? -Infinity);
  let k = lastFrameAtOrBefore(w[1], fps);
  if (k / fps >= t) k = firstFrameAtOrAfter(t, fps) - 1;
  const tau = k / fps;
  return tau >= from && tau <= w[1] ? tau : null;
}

/** What channel plugins whose window is over left on the node (see the header). */
function residualChannels(rv2: PlaybackInternals, node: NodeLike, chain: PluginSpec[], t: number, element: HTMLElement): Channels | null {
  const resolved = chain.map((p) => ({ ...p, params: rv2.resolveAllDefines(p.params ?? {}) }));
  const isChannel = resolved.map((p) => rv2.detectPluginType(p).has('channel'));
  const windows = chain.map((p) => pluginWindow(rv2, node, p));
  const frames = new Set<number>();
  windows.forEach((w, i) => {
    if (!isChannel[i] || !w || !(w[1] < t) || !(w[1] >= w[0])) return;
    const tau = lastFrameIn(w, node, t);
    if (tau !== null) frames.add(tau);
  });
  if (frames.size === 0) return null;
  const residual: Channels = {};
  for (const tau of Array.from(frames).sort((a, b) => a - b)) {
    const at: Channels = {};
    resolved.forEach((p, i) => {
      const w = windows[i];
      if (!isChannel[i] || !w || tau < w[0] || tau > w[1]) return;
      const progress = w[1] > w[0] ? (tau - w[0]) / (w[1] - w[0]) : 0;
      rv2.mergeChannels(at, rv2.evaluateChannelPlugin(p, Math.max(0, Math.min(1, progress)), element) ?? {}, p.compose || 'replace');
    });
    Object.assign(residual, at);
  }
  return residual;
}

interface TimelineLike {
  duration(): number;
  getChildren(nested?: boolean, tweens?: boolean, timelines?: boolean): Array<{ startTime(): number; getChildren?: unknown }>;
}

/** Start times (seconds) of every tween and timeline in a gsap timeline, nested ones included. */
function childStarts(tl: TimelineLike, offset = 0, out: number[] = []): number[] {
  for (const c of tl.getChildren(false, true, true)) {
    const start = offset + c.startTime();
    out.push(start);
    if (typeof c.getChildren === 'function') childStarts(c as unknown as TimelineLike, start, out);
  }
  return out;
}

/**
 * The earlier frames that can change what t shows. A gsap timeline depends on its history only
 * where the playhead first reaches a child (start values are recorded then): replaying the first
 * frame at or after each child's start is the same as replaying them all (elastic on a whole cue:
 * 28 → a few ms a frame). Anything else (a seek function of its own) gets every frame.
 */
function framesThatMatter(seeker: unknown, qs: number[]): number[] {
  if (seeker && HISTORY_FREE_SEEKERS.has(seeker)) return [];
  const tl = seeker as Partial<TimelineLike> | undefined;
  if (!tl || typeof tl.getChildren !== 'function' || typeof tl.duration !== 'function') return qs;
  const duration = tl.duration();
  if (!(duration > 0)) return qs;
  const picked = new Set<number>();
  for (const start of childStarts(tl as TimelineLike)) {
    const q = qs.find((x) => x * duration >= start);
    if (q !== undefined) picked.add(q);
  }
  return qs.filter((q) => picked.has(q));
}

export function emulatePlayback(rv2: PlaybackInternals): void {
  const chainAt = rv2.processPluginChain.bind(rv2);
  rv2.processPluginChain = (node, chain, t, element) => {
    const active = chainAt(node, chain, t, element);
    const mounted = mountedEntryOf(rv2, element);
    const residual = mounted?.node ? residualChannels(rv2, mounted.node, chain, t, element) : null;
    return residual ? { ...residual, ...active } : active;
  };
  const manage = rv2.manageDomPluginState.bind(rv2);
  rv2.manageDomPluginState = (nodeId, plugin, effectsRoot, p) => {
    const fresh = !rv2.domPluginStates.get(nodeId)?.get(plugin.name)?.initialized;
    const mounted = fresh ? mountedEntryOf(rv2, effectsRoot.closest<HTMLElement>('[data-node-id]') ?? effectsRoot) : undefined;
    const earlier = mounted?.node ? earlierProgresses(rv2, mounted.node, plugin) : [];
    if (earlier.length > 0) {
      manage(nodeId, plugin, effectsRoot, earlier[0]); // initialised on the window's first frame
      const seeker = rv2.domPluginStates.get(nodeId)?.get(plugin.name)?.seekFunction;
      for (const q of framesThatMatter(seeker, earlier.slice(1))) manage(nodeId, plugin, effectsRoot, q);
    }
    manage(nodeId, plugin, effectsRoot, p);
  };
  keepEndStates(rv2);
}

/** Makes the engine keep DOM plugins' end states after their windows, as playback does. */
function keepEndStates(rv2: PlaybackInternals): void {
  const original = rv2.applyDomPluginProgressIfInitialized.bind(rv2);
  rv2.applyDomPluginProgressIfInitialized = (plugin, element, p) => {
    if (p === 1) {
      // The engine's state key (its mount never manages to set data-node-key: it assigns to the
      // read-only `dataset` first, in a try block, so the key is the bare node id).
      const nodeKey = element.dataset.nodeKey || element.dataset.nodeId;
      const states = nodeKey ? rv2.domPluginStates.get(nodeKey) : undefined;
      const mounted = mountedEntryOf(rv2, element);
      if (nodeKey && mounted?.node && !states?.get(plugin.name)?.initialized && ranWhileMounted(rv2, mounted.node, plugin)) {
        const effectsRoot = element.querySelector<HTMLElement>('.mtx-effects-root, [data-mtx-effects-root]');
        if (effectsRoot) {
          rv2.manageDomPluginState(nodeKey, plugin, effectsRoot, 1);
          return;
        }
      }
    }
    original(plugin, element, p);
  };
}

// When can each cue paint? Mirrors motiontext-renderer 1.5.0's RendererV2: a node is mounted at
// time t exactly when t is inside its cue's domLifetime AND inside its own (inherited)
// displayTime, both ends inclusive; plugins run only on mounted nodes.

import { isPlainObject } from './issues.js';
import { collectDisplayTimes } from './normalize.js';
import type { CueWindow, PreparedScenario, TimeInterval } from './types.js';

type Obj = Record<string, unknown>;
type Range = [number, number];

const ALWAYS: Range = [-Infinity, Infinity];

/** The engine's default domLifetime (InheritanceV2.getDefaultDomLifetime). */
function defaultDomLifetime(root: unknown, maxDepth: number): Range {
  const times = collectDisplayTimes(root, maxDepth);
  if (times.length === 0) return [-1, Infinity];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [a, b] of times) {
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  }
  return [lo - 0.5, hi + 0.5];
}

/** The engine's resolveOffsetToAbsolute: a number adds seconds, "N%" adds N % of the base duration, to each boundary. */
function offsetBound(bound: unknown, base: Range, which: 0 | 1): number {
  const edge = base[which];
  const dur = base[1] - base[0];
  if (typeof bound === 'number') return edge + bound;
  if (typeof bound === 'string') {
    const s = bound.trim();
    const n = parseFloat(s.endsWith('%') ? s.slice(0, -1) : s);
    if (!Number.isFinite(n)) return edge;
    return s.endsWith('%') ? edge + (dur * n) / 100 : edge + n;
  }
  return edge;
}

export function pluginWindow(plugin: Obj, node: Obj, displayTime: Range): Range | null {
  const base = (Array.isArray(plugin.baseTime) ? plugin.baseTime : Array.isArray(node.baseTime) ? node.baseTime : displayTime) as Range;
  if (!Number.isFinite(base[0]) || !Number.isFinite(base[1])) return null;
  const off = Array.isArray(plugin.timeOffset) ? plugin.timeOffset : ['0%', '100%'];
  return [offsetBound(off[0], base, 0), offsetBound(off[1], base, 1)];
}

const present = (x: unknown): boolean => x !== undefined && x !== null && x !== '';

function hasKeys(v: unknown): boolean {
  return isPlainObject(v) && Object.values(v).some(present);
}

const BOX_KEYS_IN_STYLE = ['backgroundColor', 'boxBg', 'border', 'padding', 'borderRadius', 'opacity'];

export interface WindowResult {
  cueWindows: CueWindow[];
  /** True when at least one text/image/video node with content can be mounted at some t >= 0. */
  mountsContent: boolean;
}

export function computeCueWindows(s: Obj, maxDepth: number, pluginWindowsExtendVisibility: boolean): WindowResult {
  const tracks = new Map<string, Obj>();
  for (const t of (s.tracks as unknown[]) ?? []) if (isPlainObject(t) && typeof t.id === 'string') tracks.set(t.id, t);
  const cueWindows: CueWindow[] = [];
  let mountsContent = false;

  for (const cue of s.cues as Obj[]) {
    const track = tracks.get(cue.track as string);
    const dom = (cue.domLifetime as Range | undefined) ?? defaultDomLifetime(cue.root, maxDepth);
    const rootDefault = (cue.displayTime as Range | undefined) ?? ALWAYS;
    let lo = Infinity;
    let hi = -Infinity;
    const stack: [Obj, Range][] = [[cue.root as Obj, rootDefault]];
    while (stack.length) {
      const [node, inherited] = stack.pop()!;
      const dt = (node.displayTime as Range | undefined) ?? inherited;
      const t = node.eType;
      const paints =
        t === 'text' ||
        t === 'image' ||
        t === 'video' ||
        (t === 'group' &&
          (hasKeys(node.boxStyle) ||
            hasKeys(track?.defaultBoxStyle) ||
            (isPlainObject(node.style) && BOX_KEYS_IN_STYLE.some((k) => present((node.style as Obj)[k])))));
      if (paints) {
        let a = dt[0];
        let b = dt[1];
        if (pluginWindowsExtendVisibility && Array.isArray(node.pluginChain)) {
          for (const p of node.pluginChain) {
            const w = isPlainObject(p) ? pluginWindow(p, node, dt) : null;
            if (w && w[0] <= w[1]) {
              a = Math.min(a, w[0]);
              b = Math.max(b, w[1]);
            }
          }
        }
        a = Math.max(a, dom[0], 0); // the engine ignores seeks to t < 0
        b = Math.min(b, dom[1]);
        if (a <= b) {
          if (a < lo) lo = a;
          if (b > hi) hi = b;
          const content =
            (t === 'text' && typeof node.text === 'string' && node.text.trim().length > 0) ||
            ((t === 'image' || t === 'video') && typeof node.src === 'string' && node.src.length > 0);
          if (content) mountsContent = true;
        }
      }
      if (t === 'group' && Array.isArray(node.children)) {
        for (const c of node.children) if (isPlainObject(c)) stack.push([c, dt]);
      }
    }
    if (lo <= hi) cueWindows.push({ cueId: cue.id as string, start: lo, end: hi });
  }
  return { cueWindows, mountsContent };
}

/** Sorted union of windows; overlapping or touching windows (ends are inclusive) merge. */
export function mergeIntervals(windows: readonly { start: number; end: number }[]): TimeInterval[] {
  const sorted = windows.map((w) => ({ start: w.start, end: w.end })).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number }[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) {
      if (w.end > last.end) last.end = w.end;
    } else {
      out.push(w);
    }
  }
  return out;
}

/** True when some cue can be visible at t (seconds): binary search, inclusive ends. */
export function isActiveAt(prepared: Pick<PreparedScenario, 'activeIntervals'>, t: number): boolean {
  const iv = prepared.activeIntervals;
  let lo = 0;
  let hi = iv.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (iv[mid].start <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found >= 0 && t <= iv[found].end;
}

// safeAreaClamp of v1.3 nodes, applied when converting instead of by the engine.
//
// motiontext-renderer 1.5.0 clamps at mount time, measuring the element BEFORE it is positioned
// (a static block: the full width of its parent, and a group before its children mount) and with
// the anchor fractions the wrong way round for non-centred anchors (a bottom-anchored box is kept
// above `1 - bottom - its height`). An editor export with a stage safe area (left/right 0.025) and a
// caption group anchored bc at (0.5, 0.925) was therefore moved left by 2.5 % of the frame and up
// by the height of an empty line. Here the point (or, for a node with a numeric size, its box) is
// kept inside the safe area — max(stage.safeArea, track.safeArea) per side, as the engine takes
// it — and the flag is dropped so the engine does not clamp again.

import { isPlainObject } from '../issues.js';

type Obj = Record<string, unknown>;

/** A containing block in stage fractions (the stage is {x0: 0, y0: 0, w: 1, h: 1}). */
export interface Frame {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
}

export const STAGE_FRAME: Frame = { x0: 0, y0: 0, w: 1, h: 1 };

export interface SafeArea {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** The larger of the stage's and the track's safe margins, per side (absent sides are 0). */
export function effectiveSafeArea(stageSafe: unknown, trackSafe: unknown): SafeArea {
  const side = (k: keyof SafeArea): number => {
    const a = isPlainObject(stageSafe) && finite(stageSafe[k]) ? stageSafe[k] : 0;
    const b = isPlainObject(trackSafe) && finite(trackSafe[k]) ? trackSafe[k] : 0;
    return clamp01(Math.max(a, b));
  };
  return { left: side('left'), right: side('right'), top: side('top'), bottom: side('bottom') };
}

/** Fractions of a box left/above its anchor point (the engine's anchor codes; default cc). */
export function anchorFractions(anchor: unknown): { ax: number; ay: number } {
  const a = typeof anchor === 'string' ? anchor : 'cc';
  const ay = a[0] === 't' ? 0 : a[0] === 'b' ? 1 : 0.5;
  const ax = a[1] === 'l' ? 0 : a[1] === 'r' ? 1 : 0.5;
  return /^[tcb][lcr]$/.test(a) ? { ax, ay } : { ax: 0.5, ay: 0.5 };
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

function clampAxis(p: number, lo: number, hi: number, size: number, a: number): number {
  const min = lo + a * size;
  const max = hi - (1 - a) * size;
  if (min > max) return (min + max) / 2; // larger than the safe area: centred in it
  return Math.min(max, Math.max(min, p));
}

/**
 * Clamps layout.position of a node placed in `frame` into the safe area and removes
 * layout.safeAreaClamp. A node without a numeric position is left alone.
 */
export function applySafeAreaClamp(layout: Obj, frame: Frame, safe: SafeArea): void {
  if (layout.safeAreaClamp !== true) return;
  const pos = layout.position;
  if (!isPlainObject(pos) || !finite(pos.x) || !finite(pos.y)) return;
  const size = isPlainObject(layout.size) ? layout.size : {};
  const w = finite(size.width) ? size.width : 0;
  const h = finite(size.height) ? size.height : 0;
  const { ax, ay } = anchorFractions(layout.anchor);
  // The safe rectangle in the frame's own coordinates.
  const u0 = (safe.left - frame.x0) / frame.w;
  const u1 = (1 - safe.right - frame.x0) / frame.w;
  const v0 = (safe.top - frame.y0) / frame.h;
  const v1 = (1 - safe.bottom - frame.y0) / frame.h;
  layout.position = { ...pos, x: round(clampAxis(pos.x, u0, u1, w, ax)), y: round(clampAxis(pos.y, v0, v1, h, ay)) };
  delete layout.safeAreaClamp;
}

/** The box of a positioned node with a numeric size, in stage fractions; null otherwise. */
export function boxOf(layout: unknown, frame: Frame): Frame | null {
  if (!isPlainObject(layout) || !isPlainObject(layout.position) || !isPlainObject(layout.size)) return null;
  const { x, y } = layout.position;
  const { width, height } = layout.size;
  if (!finite(x) || !finite(y) || !finite(width) || !finite(height) || width <= 0 || height <= 0) return null;
  const { ax, ay } = anchorFractions(layout.anchor);
  return {
    x0: frame.x0 + (x - ax * width) * frame.w,
    y0: frame.y0 + (y - ay * height) * frame.h,
    w: width * frame.w,
    h: height * frame.h,
  };
}
